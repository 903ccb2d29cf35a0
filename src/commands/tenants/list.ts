import type { Command } from 'commander'
import { showTenants } from '../../io/views.ts'
import { action, examples } from '../context.ts'

export function register(tenants: Command): void {
  tenants
    .command('list')
    .summary('list the tenants, sorted by name')
    .description('List the tenants, sorted by name. `--json` prints an array of {id, name, secrets}, `[]` when there are none.')
    .addHelpText('after', examples('scalelite-admin tenants list', 'scalelite-admin tenants list --json'))
    .action(
      action(async (ctx) => {
        const store = await ctx.store()
        showTenants(ctx.out, await store.listTenants())
      }),
    )
}
