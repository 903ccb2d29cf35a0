import type { Command } from 'commander'
import { showTenant } from '../../io/views.ts'
import { action, examples } from '../context.ts'
import { resolveTenant } from '../resolve.ts'

export function register(tenants: Command): void {
  tenants
    .command('show')
    .summary('show one tenant')
    .description('Show one tenant, with the lrs_* and kc_* fields that are set.')
    .argument('<tenant>', 'id or name')
    .addHelpText('after', examples('scalelite-admin tenants show acme', 'scalelite-admin tenants show acme --json --show-secrets'))
    .action(
      action(async (ctx, ref: string) => {
        showTenant(ctx.out, await resolveTenant(await ctx.store(), ref))
      }),
    )
}
