import type { Command } from 'commander'
import { bbbSettings } from '../../config.ts'
import { PartialFailureError } from '../../errors.ts'
import { showSuccess } from '../../io/views.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'

interface Options {
  keepState?: boolean
  skipEndCalls?: boolean
  yes?: boolean
}

export function register(servers: Command): void {
  servers
    .command('panic')
    .summary('end every meeting of a server on BBB, remove the meeting rows, and disable it')
    .description(
      'End every meeting of the server with the BBB `end` call and remove its meeting rows. Unless --keep-state, the ' +
        'server is disabled first, so a panic cut short leaves it disabled; running it again finishes the rest. ' +
        'Failed end calls are named on stderr and give exit 5 (the rows are removed all the same).',
    )
    .argument('<server>', 'id, hostname or unique id prefix')
    .option('--keep-state', 'leave the server state as it is')
    .option('--skip-end-calls', 'only remove the meeting rows; call no BBB server')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(...REASON)
    .addHelpText(
      'after',
      examples('scalelite-admin servers panic bbb1.example.com --yes', 'scalelite-admin servers panic 6f1c --keep-state --skip-end-calls --json'),
    )
    .action(
      action(async (ctx, ref: string, options: Options) => {
        const settings = options.skipEndCalls ? undefined : bbbSettings(ctx.env)

        const store = await ctx.store()
        const server = await resolveServer(store, ref)
        await ctx.confirm(`End every meeting of server ${server.id} (${server.url})?`, options.yes)

        // The audit row goes with the first change: the state, and the meetings this panic ends (with
        // --keep-state the row is all that changes here, and only when there are meetings).
        const pending = (await store.meetingsOf(server.id)).length
        await store.updateServer(server.id, options.keepState ? {} : { state: 'disabled' }, { before: { meetings: pending }, after: { meetings: 0 } })
        if (settings) {
          const { endMeetings } = await import('../../bbb/end-meetings.ts')
          const meetings = await store.meetingsOf(server.id)
          // A row goes only after its end call was tried, so a panic killed half-way can be re-run.
          // Rows are removed in batches (every 50 tried meetings or 200 ms), not one write each.
          let tried: string[] = []
          let lastWrite = Date.now()
          const removeTried = async () => {
            const ids = tried
            tried = []
            lastWrite = Date.now()
            if (ids.length > 0) await store.deleteMeetings(server.id, ids)
          }
          const progress = ctx.progress('ending meetings', meetings.length)
          const outcomes = await endMeetings(server, meetings, settings, async ({ meetingId, error }) => {
            progress.advance(error !== undefined)
            if (error !== undefined) ctx.out.warn(`Could not end meeting id=${meetingId}: ${error}`)
            tried.push(meetingId)
            if (tried.length >= 50 || Date.now() - lastWrite >= 200) await removeTried()
          }).finally(() => progress.end())
          await removeTried()
          const failed = outcomes.filter((o) => o.error !== undefined)
          if (failed.length > 0)
            throw new PartialFailureError(
              `${failed.length} of ${meetings.length} end calls failed on server id=${server.id}; the meeting rows were removed all the same`,
            )
        } else {
          await store.deleteMeetings(server.id, 'all')
        }

        showSuccess(ctx.out, `Server id=${server.id} has been disabled and the meetings have been destroyed`)
      }),
    )
}
