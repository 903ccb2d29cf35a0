import type { Command } from 'commander'
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
  for (const verb of [list, add, remove]) verb.register(settings)
}
