import type { Command } from 'commander'
import { optionFromStdin, secretsFromStdin, type StdinSource } from '../../io/input.ts'
import { showTenant } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { EMPTY_SECRET_WARNING, hasEmptySecret, tenantUpdateJson, tenantUpdateSchema } from '../../schemas/tenant.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveTenant } from '../resolve.ts'

interface Options {
  name?: string
  secrets?: string
  lrsEndpoint?: string
  lrsUsername?: string
  lrsPassword?: string
  kcTokenUrl?: string
  kcClientId?: string
  kcClientSecret?: string
  kcUsername?: string
  kcPassword?: string
}

/** The values that may be `-`, read from stdin. */
const STDIN: Partial<Record<keyof Options, StdinSource>> = {
  secrets: optionFromStdin('--secrets', 'Secrets'),
  lrsPassword: optionFromStdin('--lrs-password', 'LRS password'),
  kcClientSecret: optionFromStdin('--kc-client-secret', 'Keycloak client secret'),
  kcPassword: optionFromStdin('--kc-password', 'Keycloak password'),
}

export function register(tenants: Command): void {
  tenants
    .command('update')
    .summary('rename a tenant, change its secrets or its learning record store settings')
    .description(
      'Change what is given, in one transaction; the id stays. Blank --name and --secrets are ignored; an empty ' +
        "lrs/kc value ('') unsets that field. The lrs/kc fields are those of Scalelite's tenants:update_lrs_basic " +
        "and tenants:update_lrs_kc. A secret given as '-' is read from stdin (asked for without echo on a terminal); " +
        'only one value can come from stdin.',
    )
    .argument('<tenant>', 'id or name')
    .option('--name <name>', 'new name')
    .option('--secrets <secrets>', "new colon-separated secrets ('-': from stdin)")
    .option('--lrs-endpoint <url>', 'learning record store endpoint')
    .option('--lrs-username <name>', 'learning record store user (basic auth)')
    .option('--lrs-password <password>', "learning record store password (basic auth; '-': from stdin)")
    .option('--kc-token-url <url>', 'Keycloak token URL')
    .option('--kc-client-id <id>', 'Keycloak client id')
    .option('--kc-client-secret <secret>', "Keycloak client secret ('-': from stdin)")
    .option('--kc-username <name>', 'Keycloak user')
    .option('--kc-password <password>', "Keycloak password ('-': from stdin)")
    .option(...REASON)
    .addHelpText(
      'after',
      examples(
        'scalelite-admin tenants update acme --name acme-corp',
        'scalelite-admin tenants update acme --secrets new-one:new-two',
        'pass show lrs/acme | scalelite-admin tenants update acme --lrs-endpoint https://lrs.example.com/xapi --lrs-username acme --lrs-password -',
        "scalelite-admin tenants update acme --kc-token-url '' --kc-client-id ''",
      ),
    )
    .action(
      action(async (ctx, ref: string, options: Options) => {
        const raw = await secretsFromStdin(ctx.term, options, STDIN)
        const changes = parseInput(tenantUpdateSchema, raw)

        const store = await ctx.store()
        const tenant = await resolveTenant(store, ref)
        const updated = await store.updateTenant(tenant.id, changes)
        if (changes.secrets !== undefined && hasEmptySecret(changes.secrets)) ctx.out.warn(EMPTY_SECRET_WARNING)

        showTenant(ctx.out, updated, tenantUpdateJson)
      }),
    )
}
