import type { Command } from 'commander'
import { showServers } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { serverListSchema, sortByHostname } from '../../schemas/server.ts'
import { action, examples } from '../context.ts'

interface Options {
  tag?: string
  state?: string
  online?: boolean
  offline?: boolean
}

export function register(servers: Command): void {
  servers
    .command('list')
    .summary('list the servers, sorted by hostname')
    .description('List the servers, sorted by hostname. `--json` prints the array of server objects, `[]` when there are none.')
    .option('--tag <tag>', "only servers with this tag ('' for untagged ones)")
    .option('--state <state>', 'only servers in this state: enabled, cordoned or disabled')
    .option('--online', 'only servers the poller saw online')
    .option('--offline', 'only servers the poller saw offline')
    .addHelpText('after', examples('scalelite-admin servers list', 'scalelite-admin servers list --state enabled --json'))
    .action(
      action(async (ctx, options: Options) => {
        const filter = parseInput(serverListSchema, options)

        const store = await ctx.store()
        const servers = (await store.listServers()).filter(
          (s) =>
            (filter.tag === undefined || (s.tag ?? '') === filter.tag) &&
            (filter.state === undefined || s.state === filter.state) &&
            (!filter.online || s.online) &&
            (!filter.offline || !s.online),
        )

        showServers(ctx.out, sortByHostname(servers))
      }),
    )
}
