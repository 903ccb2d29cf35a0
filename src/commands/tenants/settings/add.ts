import { randomUUID } from 'node:crypto'
import type { Command } from 'commander'
import { showTenantSetting } from '../../../io/views.ts'
import { parseInput } from '../../../schemas/parse.ts'
import { tenantSettingAddSchema } from '../../../schemas/tenant-setting.ts'
import { REASON, action, examples } from '../../context.ts'
import { resolveTenant } from '../../resolve.ts'

export function register(settings: Command): void {
  settings
    .command('add')
    .summary('add a default or override create parameter to a tenant')
    .description(
      "Add a BBB create parameter to a tenant's meetings: a default, or with --override a value that wins over the request. " +
        'A tenant has at most one default and one override per param.',
    )
    .argument('[tenant]', 'id or name')
    .argument('[param]', 'the create parameter, e.g. meta_server-tag or record')
    .argument('[value]', 'its value')
    .option('--override', 'an override (wins over the request) instead of a default')
    .option(...REASON)
    .addHelpText(
      'after',
      examples('scalelite-admin tenants settings add acme record false', 'scalelite-admin tenants settings add acme meta_server-tag big --override'),
    )
    .action(
      action(async (ctx, tenant: string | undefined, param: string | undefined, value: string | undefined, options: { override?: boolean }) => {
        const input = parseInput(tenantSettingAddSchema, { tenant, param, value, override: options.override === true })

        const store = await ctx.store()
        const { id: tenantId } = await resolveTenant(store, input.tenant)
        const setting = await store.addTenantSetting({ id: randomUUID(), tenantId, param: input.param, value: input.value, override: input.override })

        showTenantSetting(ctx.out, setting)
      }),
    )
}
