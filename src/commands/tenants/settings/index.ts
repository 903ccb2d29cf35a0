import type { Command } from 'commander'
import { examples } from '../../context.ts'
import * as add from './add.ts'
import * as list from './list.ts'
import * as remove from './remove.ts'

export function registerSettings(tenants: Command): void {
  const settings = tenants
    .command('settings')
    .summary("manage a tenant's default and override create parameters")
    .description(
      "Manage tenant settings, as Scalelite's TenantSetting: BBB create parameters a tenant's meetings get by default " +
        '(the request may change them) or as overrides (they win over the request).',
    )
    .addHelpText('after', examples('scalelite-admin tenants settings list acme', 'scalelite-admin tenants settings add acme meta_server-tag big --override'))
  for (const verb of [list, add, remove]) verb.register(settings)
}
