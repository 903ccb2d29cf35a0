import { randomUUID } from 'node:crypto'
import type { Command } from 'commander'
import { showTenant } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { tenantAddJson, tenantAddSchema } from '../../schemas/tenant.ts'
import { REASON, action, examples } from '../context.ts'

export function register(tenants: Command): void {
  tenants
    .command('add')
    .summary('add a tenant')
    .description('Add a tenant. Its name is the subdomain its users call; secrets is a colon-separated list. Names are unique.')
    .argument('[name]', 'tenant name (the subdomain)')
    .argument('[secrets]', 'colon-separated shared secrets')
    .option(...REASON)
    .addHelpText('after', examples('scalelite-admin tenants add acme s3cr3t-one:s3cr3t-two'))
    .action(
      action(async (ctx, name: string | undefined, secrets: string | undefined) => {
        const input = parseInput(tenantAddSchema, { name, secrets }, 'message')

        const store = await ctx.store()
        const tenant = await store.addTenant({ id: randomUUID(), ...input })

        showTenant(ctx.out, tenant, tenantAddJson)
      }),
    )
}
