import type { Command } from 'commander'
import { showSuccess } from '../../io/views.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveTenant } from '../resolve.ts'

export function register(tenants: Command): void {
  tenants
    .command('delete')
    .summary('delete a tenant')
    .description('Delete a tenant and its settings, in one transaction. Its meetings are left as they are, as in Scalelite.')
    .argument('<tenant>', 'id or name')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(...REASON)
    .addHelpText('after', examples('scalelite-admin tenants delete acme --yes'))
    .action(
      action(async (ctx, ref: string, options: { yes?: boolean }) => {
        const store = await ctx.store()
        const tenant = await resolveTenant(store, ref)
        await ctx.confirm(`Delete tenant ${tenant.name} (${tenant.id})?`, options.yes)

        await store.deleteTenant(tenant.id)

        showSuccess(ctx.out, `Tenant id=${tenant.id} was destroyed`)
      }),
    )
}
