import type { Command } from 'commander'
import { examples } from '../context.ts'
import * as add from './add.ts'
import * as del from './delete.ts'
import * as list from './list.ts'
import { registerSettings } from './settings/index.ts'
import * as show from './show.ts'
import * as update from './update.ts'

export function registerTenants(program: Command): void {
  const tenants = program
    .command('tenants')
    .summary('manage the tenants of a multitenant fleet')
    .description('Manage the tenants of a multitenant Scalelite.')
    .addHelpText('after', examples('scalelite-admin tenants list', 'scalelite-admin tenants add acme s3cr3t-one:s3cr3t-two'))
  for (const verb of [list, show, add, update, del]) verb.register(tenants)
  registerSettings(tenants)
}
