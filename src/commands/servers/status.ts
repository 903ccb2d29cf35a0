import type { Command } from 'commander'
import { showStatus } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { DEFAULT_STALE_AFTER_MINUTES, statusJson, statusSchema } from '../../schemas/status.ts'
import { sortByHostname } from '../../schemas/server.ts'
import { action, examples } from '../context.ts'

interface Options {
  staleAfter?: string
}

export function register(servers: Command): void {
  servers
    .command('status')
    .summary("the fleet's figures from the last poll, sorted by hostname, with totals")
    .description(
      "The figures of Scalelite's `rake status` for every server (state, online, meetings, users, largest meeting, " +
        'videos, load, BBB version, tag) as `servers poll` last stored them, how long ago that was, and the totals. ' +
        `Figures older than --stale-after minutes (default ${DEFAULT_STALE_AFTER_MINUTES}), or never taken, are stale. ` +
        'Reads the database only: no BBB server is called.',
    )
    .option('--stale-after <minutes>', `figures older than this are stale (default ${DEFAULT_STALE_AFTER_MINUTES})`)
    .addHelpText('after', examples('scalelite-admin servers status', 'scalelite-admin servers status --json | jq .totals'))
    .action(
      action(async (ctx, options: Options) => {
        const { staleAfter } = parseInput(statusSchema, options)

        const store = await ctx.store()
        const servers = sortByHostname(await store.serverFigures())
        const now = Date.now()

        showStatus(ctx.out, statusJson(servers, now, staleAfter), now)
      }),
    )
}
