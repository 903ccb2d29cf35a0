// Ends many meetings on one BBB server, BBB_CONCURRENCY at a time. Once the server has shown it is
// unreachable (a refused, reset or timed-out connection, or several calls in a row that got no reply),
// every remaining meeting is still asked once, but all together and with a short timeout, so a dead
// server costs about one timeout, not one per meeting.
import pLimit from 'p-limit'
import type { BbbSettings } from '../config.ts'
import type { Meeting } from '../db/store.ts'
import { BbbClient, BbbError } from './client.ts'

/** Time each remaining call gets once the server is known to be unreachable. */
const UNREACHABLE_TIMEOUT_MS = 1_000
/** How many of those remaining calls may run at once (file descriptors are finite). */
const UNREACHABLE_CONCURRENCY = 1_000
/** Calls in a row without a reply that make a server count as dead rather than slow. */
const NO_REPLIES_FOR_DEAD = 3

export interface EndOutcome {
  meetingId: string
  /** Why the end call failed; absent when the meeting was ended (or had ended already). */
  error?: string
}

export async function endMeetings(
  server: { url: string; secret: string },
  meetings: Meeting[],
  settings: BbbSettings,
  /** Called after each attempt, whatever its outcome; the caller removes the meeting row there. */
  onAttempted: (outcome: EndOutcome) => Promise<void>,
): Promise<EndOutcome[]> {
  const client = new BbbClient(settings)
  const limit = pLimit(settings.concurrency)
  let unreachable = false
  let noRepliesInARow = 0

  const giveUpWaiting = () => {
    unreachable = true
    limit.concurrency = Math.max(settings.concurrency, UNREACHABLE_CONCURRENCY)
    client.widen(limit.concurrency)
  }

  const endOne = async (meeting: Meeting): Promise<EndOutcome> => {
    // Never longer than the configured timeouts (CONNECT_TIMEOUT and RESPONSE_TIMEOUT may be below 1 s).
    const timeouts = unreachable
      ? {
          connectMs: Math.min(UNREACHABLE_TIMEOUT_MS, settings.connectTimeoutMs),
          responseMs: Math.min(UNREACHABLE_TIMEOUT_MS, settings.responseTimeoutMs),
        }
      : undefined
    let outcome: EndOutcome = { meetingId: meeting.id }
    try {
      await client.call(server, 'end', [['meetingID', meeting.id], ['password', meeting.moderatorPw]], timeouts)
      noRepliesInARow = 0
    } catch (e) {
      if (!(e instanceof BbbError)) throw e
      // notFound: the meeting had already ended, which is what we want.
      if (e.messageKey !== 'notFound') outcome = { meetingId: meeting.id, error: e.message }
      noRepliesInARow = e.noReply ? noRepliesInARow + 1 : 0
      const dead = e.kind === 'unreachable' && (!e.noReply || noRepliesInARow >= Math.min(NO_REPLIES_FOR_DEAD, meetings.length))
      if (dead && !unreachable) giveUpWaiting()
    }
    await onAttempted(outcome)
    return outcome
  }

  try {
    return await Promise.all(meetings.map((meeting) => limit(() => endOne(meeting))))
  } finally {
    client.close()
  }
}
