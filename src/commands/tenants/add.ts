import { randomUUID } from 'node:crypto'
import type { Command } from 'commander'
import { secretsFromStdin } from '../../io/input.ts'
import { showTenant } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { EMPTY_SECRET_WARNING, hasEmptySecret, tenantAddJson, tenantAddSchema } from '../../schemas/tenant.ts'
import { REASON, action, examples } from '../context.ts'

export function register(tenants: Command): void {
  tenants
    .command('add')
    .summary('add a tenant')
    .description(
      'Add a tenant. Its name is the subdomain its users call; secrets is a colon-separated list. Names are unique. ' +
        "Secrets given as '-' are read from stdin (asked for without echo on a terminal).",
    )
    .argument('[name]', 'tenant name (the subdomain)')
    .argument('[secrets]', "colon-separated shared secrets ('-': from stdin)")
    .option(...REASON)
    .addHelpText('after', examples('scalelite-admin tenants add acme s3cr3t-one:s3cr3t-two', 'pass show scalelite/acme | scalelite-admin tenants add acme -'))
    .action(
      action(async (ctx, name: string | undefined, secrets: string | undefined) => {
        const raw = await secretsFromStdin(ctx.term, { name, secrets }, { secrets: { flag: '<secrets>', prompt: 'Secrets' } })
        const input = parseInput(tenantAddSchema, raw, 'message')

        const store = await ctx.store()
        const tenant = await store.addTenant({ id: randomUUID(), ...input })
        if (hasEmptySecret(tenant.secrets)) ctx.out.warn(EMPTY_SECRET_WARNING)

        showTenant(ctx.out, tenant, tenantAddJson)
      }),
    )
}
