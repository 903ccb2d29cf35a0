import type { Command } from 'commander'
import { showSuccess } from '../../../io/views.ts'
import { REASON, action, examples } from '../../context.ts'

export function register(settings: Command): void {
  settings
    .command('remove')
    .summary('remove a tenant setting')
    .description('Remove a tenant setting by its id (see `tenants settings list`).')
    .argument('<setting-id>', 'the id of the setting')
    .option(...REASON)
    .addHelpText('after', examples('scalelite-admin tenants settings remove 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b'))
    .action(
      action(async (ctx, id: string) => {
        const store = await ctx.store()
        await store.removeTenantSetting(id)

        showSuccess(ctx.out, `TenantSetting id=${id} was destroyed`)
      }),
    )
}
