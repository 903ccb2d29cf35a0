import type { Command } from 'commander'
import { examples } from '../context.ts'
import * as add from './add.ts'
import * as exportFleet from './export.ts'
import * as list from './list.ts'
import * as panic from './panic.ts'
import * as poll from './poll.ts'
import * as remove from './remove.ts'
import * as show from './show.ts'
import * as state from './state.ts'
import * as status from './status.ts'
import * as sync from './sync.ts'
import * as update from './update.ts'

export function registerServers(program: Command): void {
  const servers = program
    .command('servers')
    .summary('manage the BBB servers behind the balancer')
    .description('Manage the BigBlueButton servers behind the balancer.')
    .addHelpText('after', examples('scalelite-admin servers list', 'scalelite-admin servers help panic'))
  for (const verb of [list, show, add, update, state, remove, panic, status, poll, exportFleet, sync]) verb.register(servers)
}
