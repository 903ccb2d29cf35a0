import type { Command } from 'commander'
import { showTenantSettings } from '../../../io/views.ts'
import { sortSettings } from '../../../schemas/tenant-setting.ts'
import { action, examples } from '../../context.ts'
import { resolveTenant } from '../../resolve.ts'

export function register(settings: Command): void {
  settings
    .command('list')
    .summary('list the settings of one tenant or of all')
    .description(
      'List tenant settings, sorted by tenant name, then param, defaults before overrides. ' +
        '`--json` prints an array of {id, tenant_id, param, value, override}, `[]` when there are none.',
    )
    .argument('[tenant]', 'id or name; all tenants when left out')
    .addHelpText('after', examples('scalelite-admin tenants settings list', 'scalelite-admin tenants settings list acme --json'))
    .action(
      action(async (ctx, ref: string | undefined) => {
        const store = await ctx.store()
        const tenant = ref === undefined ? undefined : await resolveTenant(store, ref)
        const tenants = tenant ? [tenant] : await store.listTenants()
        const settings = await store.listTenantSettings(tenant?.id)

        const names = new Map(tenants.map((t) => [t.id, t.name]))
        // A setting whose tenant has gone meanwhile is not listed.
        const rows = settings.flatMap((setting) => (names.has(setting.tenantId) ? [{ setting, tenantName: names.get(setting.tenantId) as string }] : []))
        showTenantSettings(ctx.out, sortSettings(rows))
      }),
    )
}
