// Ends many meetings on one BBB server, a bounded number at a time. Once the server has shown it is
// unreachable (refused, reset or timed out), every remaining meeting is still asked once, but all
// together and with a short timeout, so a dead server costs about one timeout, not one per meeting.
import pLimit from 'p-limit'
import type { BbbSettings } from '../config.ts'
import type { Meeting } from '../db/store.ts'
import { BbbClient, BbbError } from './client.ts'

/** Time each remaining call gets once the server is known to be unreachable. */
const UNREACHABLE_TIMEOUT_MS = 1_000
/** How many of those remaining calls run at once. */
const UNREACHABLE_CONCURRENCY = 200

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

  const endOne = async (meeting: Meeting): Promise<EndOutcome> => {
    const timeouts = unreachable ? { connectMs: UNREACHABLE_TIMEOUT_MS, responseMs: UNREACHABLE_TIMEOUT_MS } : undefined
    let outcome: EndOutcome = { meetingId: meeting.id }
    try {
      await client.call(server, 'end', [['meetingID', meeting.id], ['password', meeting.moderatorPw]], timeouts)
    } catch (e) {
      if (!(e instanceof BbbError)) throw e
      // notFound: the meeting had already ended, which is what we want.
      if (e.messageKey !== 'notFound') outcome = { meetingId: meeting.id, error: e.message }
      if (e.kind === 'unreachable' && !unreachable) {
        unreachable = true
        limit.concurrency = Math.max(settings.concurrency, UNREACHABLE_CONCURRENCY)
        client.widen(limit.concurrency)
      }
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
