import type { Command } from 'commander'
import type { ServerState } from '../../db/store.ts'
import { NotFoundError } from '../../errors.ts'
import { showServer, showStateChanges } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { describeSelector, selectorSchema } from '../../schemas/selector.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'
import { selectServers } from '../select.ts'

interface Options {
  tag?: string
  state?: string
  all?: boolean
}

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
      .description(
        `Set the state of a server, or of every server that --tag, --state or --all selects, to ${state}. ` +
          'Repeating it changes nothing and exits 0. A selection changes all its servers in one transaction ' +
          'and lists each; one that matches no server is refused (exit 3).',
      )
      .argument('[server]', 'id, hostname or unique id prefix')
      .option('--tag <tag>', "every server with this tag ('' for untagged ones)")
      .option('--state <state>', 'every server in this state: enabled, cordoned or disabled')
      .option('--all', 'every server')
      .option(...REASON)
      .addHelpText(
        'after',
        examples(`scalelite-admin servers ${verb} bbb1.example.com`, `scalelite-admin servers ${verb} --tag rack-2`, `scalelite-admin servers ${verb} --state cordoned --json`),
      )
      .action(
        action(async (ctx, ref: string | undefined, options: Options) => {
          const selector = parseInput(selectorSchema, { ref, ...options })

          const store = await ctx.store()
          if (selector.kind === 'one') {
            const server = await resolveServer(store, selector.ref)
            const updated = await store.updateServer(server.id, { state })
            return showServer(ctx.out, updated)
          }
          const before = selectServers(await store.listServers(), selector)
          if (before.length === 0) throw new NotFoundError(`No servers match ${describeSelector(selector)}; nothing was changed`)
          const after = await store.applyServerChanges(before.map((s) => ({ kind: 'update', id: s.id, changes: { state } })))

          showStateChanges(
            ctx.out,
            after.map((server, i) => ({ previous: before[i]!.state, server })),
          )
        }),
      )
  }
}
