// What `servers poll` makes of a BBB server's replies, as Scalelite's `poll:servers` and
// `poll:versions` do: the meetings of a getMeetings reply, the load formula, the statistics, and the
// online/offline hysteresis. Pure functions; the calls are in poll-servers.ts.
import type { PollRules } from '../config.ts'
import type { PollState, PollUpdate } from '../db/store.ts'
import type { BbbReply } from './client.ts'

/** The parts of one `<meeting>` of a getMeetings reply that the poller uses. */
export interface MeetingFigures {
  participantCount: number
  moderatorCount: number
  videoCount: number
  isBreakout: boolean
  /** ms since the epoch; 0 when the reply has none. */
  createTime: number
}

/** What one poll learnt about a server: its meetings, or nothing when getMeetings failed. */
export type PollOutcome =
  | {
      ok: true
      meetings: MeetingFigures[]
      /** What the API root reported (null: it revealed none); undefined when that call failed. */
      bbbVersion?: string | null
    }
  | { ok: false }

const count = (value: unknown) => {
  const n = Number.parseInt(typeof value === 'string' ? value : '', 10)
  return Number.isFinite(n) && n > 0 ? n : 0
}

/**
 * The `<meeting>` elements of a getMeetings reply (`<meetings/>` when there are none). A missing count
 * counts as 0 and a missing isBreakout as false, where Scalelite would fail the whole poll.
 */
export function parseMeetings(reply: BbbReply): MeetingFigures[] {
  const meetings = reply.meetings
  const list = meetings && typeof meetings === 'object' ? (meetings as { meeting?: unknown }).meeting : undefined
  const items = list === undefined ? [] : Array.isArray(list) ? list : [list]
  return items.map((item) => {
    const m = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>
    return {
      participantCount: count(m.participantCount),
      moderatorCount: count(m.moderatorCount),
      videoCount: count(m.videoCount),
      isBreakout: m.isBreakout === 'true',
      createTime: count(m.createTime),
    }
  })
}

/** The API root's `bbbVersion`; null when BBB does not reveal it. */
export function parseVersion(reply: BbbReply): string | null {
  const version = reply.bbbVersion
  return typeof version === 'string' && version.trim() !== '' ? version.trim() : null
}

/**
 * Scalelite's load: over the meetings that are not breakout rooms, participantCount + moderatorCount
 * (Scalelite adds both), a meeting created within the join buffer counting for at least the minimum
 * user count; the sum times the load multiplier (none stored counts as 1).
 */
export function serverLoad(meetings: MeetingFigures[], multiplier: number | null, rules: PollRules, now: number): number {
  let users = 0
  for (const meeting of meetings) {
    if (meeting.isBreakout) continue
    let count = meeting.participantCount + meeting.moderatorCount
    // Scalelite compares whole seconds of createTime with the time now less the buffer.
    if (Math.floor(meeting.createTime / 1000) * 1000 > now - rules.joinBufferMs) count = Math.max(count, rules.minUserCount)
    users += count
  }
  return users * (multiplier ?? 1)
}

/** The statistics Scalelite stores: every meeting, breakout rooms included. */
export function serverStatistics(meetings: MeetingFigures[]): NonNullable<PollUpdate['figures']> {
  return {
    meetings: meetings.length,
    users: meetings.reduce((sum, m) => sum + m.participantCount, 0),
    largestMeeting: meetings.reduce((max, m) => Math.max(max, m.participantCount), 0),
    videos: meetings.reduce((sum, m) => sum + m.videoCount, 0),
  }
}

/**
 * What to store after one poll, from what is stored now:
 * - answered: the unhealthy counter resets; an offline server counts healthy polls and comes online
 *   (with its load) at SERVER_HEALTHY_THRESHOLD; an online one gets its load. A cordoned server whose
 *   load is now 0 becomes disabled, and a disabled server never has a load. Statistics, version and
 *   poll time are stored.
 * - not answered: the healthy counter resets; an online server counts failures and goes offline
 *   (load unknown) at SERVER_UNHEALTHY_THRESHOLD. The statistics and the poll time stay as they were.
 * The state changes in no other way; unlike Scalelite, no meeting is ended here.
 */
export function nextPollState(current: PollState, outcome: PollOutcome, rules: PollRules, now: number): PollUpdate {
  const next: PollUpdate = {
    state: current.state,
    online: current.online,
    load: current.load,
    healthyCounter: current.healthyCounter,
    unhealthyCounter: current.unhealthyCounter,
  }

  if (!outcome.ok) {
    next.healthyCounter = 0
    if (current.online) {
      next.unhealthyCounter = current.unhealthyCounter + 1
      if (next.unhealthyCounter >= rules.unhealthyThreshold) Object.assign(next, { online: false, load: null, unhealthyCounter: 0 })
    }
  } else {
    const load = serverLoad(outcome.meetings, current.loadMultiplier, rules, now)
    next.unhealthyCounter = 0
    if (current.online) next.load = load
    else {
      next.healthyCounter = current.healthyCounter + 1
      if (next.healthyCounter >= rules.healthyThreshold) Object.assign(next, { online: true, load, healthyCounter: 0 })
    }
    // Judged on the load just measured, so a draining server that is still coming back online is
    // disabled only once it is really empty (Scalelite also disables it while its load is unknown).
    if (current.state === 'cordoned' && load === 0) next.state = 'disabled'
    next.figures = serverStatistics(outcome.meetings)
    if (outcome.bbbVersion !== undefined) next.bbbVersion = outcome.bbbVersion
    next.polledAt = new Date(now)
  }

  if (next.state === 'disabled') next.load = null
  return next
}
