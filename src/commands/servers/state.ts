import type { Command } from 'commander'
import type { ServerState } from '../../db/store.ts'
import { showServer } from '../../io/views.ts'
import { action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'

const VERBS: { verb: string; state: ServerState; summary: string }[] = [
  { verb: 'enable', state: 'enabled', summary: 'let the balancer place new meetings on a server' },
  { verb: 'cordon', state: 'cordoned', summary: 'take no new meetings; running ones go on (disabled by the poller once empty)' },
  { verb: 'disable', state: 'disabled', summary: 'take no new meetings and no joins; meetings stay (see servers panic)' },
]

export function register(servers: Command): void {
  for (const { verb, state, summary } of VERBS) {
    servers
      .command(verb)
      .summary(summary)
      .description(`Set the server state to ${state}. Repeating it changes nothing and exits 0.`)
      .argument('<server>', 'id, hostname or unique id prefix')
      .addHelpText('after', examples(`scalelite-admin servers ${verb} bbb1.example.com`))
      .action(
        action(async (ctx, ref: string) => {
          const store = await ctx.store()
          const server = await resolveServer(store, ref)
          const updated = await store.updateServer(server.id, { state })

          showServer(ctx.out, updated)
        }),
      )
  }
}
