import type { Command } from 'commander'
import pLimit from 'p-limit'
import { pollServers } from '../../bbb/poll-servers.ts'
import { nextPollState } from '../../bbb/poll.ts'
import { bbbSettings, pollRules } from '../../config.ts'
import { NO_POLL_ON_REDIS, type Server } from '../../db/store.ts'
import { PartialFailureError, UsageError } from '../../errors.ts'
import { showStatus } from '../../io/views.ts'
import { serverHostname, sortByHostname } from '../../schemas/server.ts'
import { DEFAULT_STALE_AFTER_MINUTES, statusJson } from '../../schemas/status.ts'
import { action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'

export function register(servers: Command): void {
  servers
    .command('poll')
    .summary('ask BBB servers for their meetings and version; store load, figures and online')
    .description(
      'Ask every server (or those given) for getMeetings and its version, BBB_CONCURRENCY servers at a time, and ' +
        "store what Scalelite's poller stores: load (its formula), meetings, users, largest meeting, videos, online " +
        '(SERVER_HEALTHY_THRESHOLD / SERVER_UNHEALTHY_THRESHOLD), BBB version, and the poll time. The state never ' +
        'changes, except that a cordoned server whose load is 0 becomes disabled. No meeting is ended. Prints the ' +
        'status of the polled servers; servers that could not be polled are named on stderr and give exit 5.',
    )
    .argument('[servers...]', 'ids, hostnames or unique id prefixes (default: every server)')
    .addHelpText('after', examples('scalelite-admin servers poll', 'scalelite-admin servers poll bbb1.example.com bbb2.example.com --json'))
    .action(
      action(async (ctx, refs: string[]) => {
        const settings = bbbSettings(ctx.env)
        const rules = pollRules(ctx.env)

        const store = await ctx.store()
        // Refused before any BBB server is asked.
        if (store.kind === 'redis') throw new UsageError(NO_POLL_ON_REDIS)
        const named: Server[] = []
        for (const ref of refs) {
          const server = await resolveServer(store, ref)
          if (!named.some((t) => t.id === server.id)) named.push(server)
        }
        const targets = sortByHostname(refs.length === 0 ? await store.listServers() : named)

        // Each result is stored in its own short transaction as it arrives, one at a time.
        const write = pLimit(1)
        const byId = new Map(targets.map((t) => [t.id, t]))
        const failed = new Set<string>()
        const noVersion = new Set<string>()
        const progress = ctx.progress('polling servers', targets.length)
        await pollServers(targets, settings, async ({ id, outcome, error, versionError }) => {
          progress.advance(error !== undefined)
          const name = `id=${id} (${serverHostname((byId.get(id) as Server).url)})`
          if (error !== undefined) {
            failed.add(id)
            ctx.out.warn(`Could not poll server ${name}: ${error}`)
          } else if (versionError !== undefined) {
            noVersion.add(id)
            ctx.out.warn(`Could not get the BBB version of server ${name}: ${versionError}`)
          }
          await write(() => store.recordPoll(id, (current) => nextPollState(current, outcome, rules, Date.now())))
        }).finally(() => progress.end())

        if (failed.size > 0 || noVersion.size > 0) {
          const parts = []
          if (failed.size > 0) parts.push(`${failed.size} of ${targets.length} servers could not be polled`)
          if (noVersion.size > 0) parts.push(`the BBB version of ${noVersion.size} could not be read`)
          throw new PartialFailureError(`${parts.join('; ')}; everything else was stored`)
        }
        const polled = new Set(targets.map((t) => t.id))
        const figures = sortByHostname((await store.serverFigures()).filter((s) => polled.has(s.id)))
        const now = Date.now()
        showStatus(ctx.out, statusJson(figures, now, DEFAULT_STALE_AFTER_MINUTES * 60_000), now)
      }),
    )
}
