import type { Command } from 'commander'
import { showTenant } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { tenantUpdateJson, tenantUpdateSchema } from '../../schemas/tenant.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveTenant } from '../resolve.ts'

export function register(tenants: Command): void {
  tenants
    .command('update')
    .summary('rename a tenant or change its secrets')
    .description('Change what is given, in one transaction; blank values are ignored and the id stays.')
    .argument('<tenant>', 'id or name')
    .option('--name <name>', 'new name')
    .option('--secrets <secrets>', 'new colon-separated secrets')
    .option(...REASON)
    .addHelpText('after', examples('scalelite-admin tenants update acme --name acme-corp', 'scalelite-admin tenants update acme --secrets new-one:new-two'))
    .action(
      action(async (ctx, ref: string, options: { name?: string; secrets?: string }) => {
        const changes = parseInput(tenantUpdateSchema, options)

        const store = await ctx.store()
        const tenant = await resolveTenant(store, ref)
        const updated = await store.updateTenant(tenant.id, changes)

        showTenant(ctx.out, updated, tenantUpdateJson)
      }),
    )
}
