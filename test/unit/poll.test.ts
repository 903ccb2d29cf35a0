// In-process tests of src/bbb/poll.ts: reading a getMeetings reply, Scalelite's load formula (breakout
// rooms left out, the minimum user count for new meetings, the multiplier), the statistics, and the
// online/offline hysteresis with the cordoned → disabled rule.
import { describe, expect, test } from 'vitest'
import { parseReply } from '../../src/bbb/client.ts'
import { type MeetingFigures, nextPollState, parseMeetings, parseVersion, serverLoad, serverStatistics } from '../../src/bbb/poll.ts'
import { pollRules, type PollRules } from '../../src/config.ts'
import type { PollState } from '../../src/db/store.ts'
import { UsageError } from '../../src/errors.ts'

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0)
const MINUTE = 60_000
const RULES: PollRules = { minUserCount: 15, joinBufferMs: 15 * MINUTE, healthyThreshold: 1, unhealthyThreshold: 2 }

const meeting = (m: Partial<MeetingFigures> = {}): MeetingFigures => ({
  participantCount: 0,
  moderatorCount: 0,
  videoCount: 0,
  isBreakout: false,
  createTime: NOW - 60 * MINUTE,
  ...m,
})

const state = (s: Partial<PollState> = {}): PollState => ({
  state: 'enabled',
  online: true,
  load: 5,
  loadMultiplier: 1,
  healthyCounter: 0,
  unhealthyCounter: 0,
  ...s,
})

describe('parseMeetings', () => {
  test('no meetings: <meetings/>', () => {
    const reply = parseReply(
      '<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey><message>no meetings were found on this server</message></response>',
    )
    expect(parseMeetings(reply)).toEqual([])
  })

  test('one meeting (not an array in the XML) and several', () => {
    const one = parseReply(
      '<response><returncode>SUCCESS</returncode><meetings><meeting><meetingID>a</meetingID><createTime>1764849600123</createTime>' +
        '<participantCount>7</participantCount><moderatorCount>2</moderatorCount><videoCount>3</videoCount><isBreakout>false</isBreakout>' +
        '<metadata><tenant-id>t1</tenant-id></metadata></meeting></meetings></response>',
    )
    expect(parseMeetings(one)).toEqual([{ participantCount: 7, moderatorCount: 2, videoCount: 3, isBreakout: false, createTime: 1764849600123 }])
    const two = parseReply(
      '<response><returncode>SUCCESS</returncode><meetings>' +
        '<meeting><participantCount>1</participantCount><isBreakout>true</isBreakout></meeting>' +
        '<meeting><participantCount>2</participantCount></meeting></meetings></response>',
    )
    expect(parseMeetings(two)).toEqual([
      { participantCount: 1, moderatorCount: 0, videoCount: 0, isBreakout: true, createTime: 0 },
      { participantCount: 2, moderatorCount: 0, videoCount: 0, isBreakout: false, createTime: 0 },
    ])
  })

  test("Scalelite's minimal fragments (only a meetingName) count as empty meetings", () => {
    const reply = parseReply('<response><returncode>SUCCESS</returncode><meetings><meeting><meetingName>test-meeting-1</meetingName></meeting></meetings></response>')
    expect(parseMeetings(reply)).toEqual([meeting({ createTime: 0 })])
  })

  test('the version of the API root, null when BBB does not reveal it', () => {
    expect(parseVersion(parseReply('<response><returncode>SUCCESS</returncode><version>2.0</version><bbbVersion>3.0.24</bbbVersion></response>'))).toBe('3.0.24')
    expect(parseVersion(parseReply('<response><returncode>SUCCESS</returncode><version>2.0</version></response>'))).toBeNull()
    expect(parseVersion(parseReply('<response><returncode>SUCCESS</returncode><version>2.0</version><bbbVersion></bbbVersion></response>'))).toBeNull()
  })
})

describe("serverLoad: Scalelite's formula", () => {
  test('participants plus moderators of each meeting, summed', () => {
    expect(serverLoad([meeting({ participantCount: 10, moderatorCount: 2 }), meeting({ participantCount: 3, moderatorCount: 1 })], 1, RULES, NOW)).toBe(16)
  })

  test('breakout rooms are left out of the load', () => {
    expect(serverLoad([meeting({ participantCount: 10 }), meeting({ participantCount: 4, moderatorCount: 1, isBreakout: true })], 1, RULES, NOW)).toBe(10)
  })

  test('a meeting created within LOAD_JOIN_BUFFER_TIME counts for at least LOAD_MIN_USER_COUNT', () => {
    const fresh = meeting({ participantCount: 2, createTime: NOW - 14 * MINUTE })
    const old = meeting({ participantCount: 2, createTime: NOW - 16 * MINUTE })
    const busy = meeting({ participantCount: 20, moderatorCount: 1, createTime: NOW - MINUTE })
    expect(serverLoad([fresh], 1, RULES, NOW)).toBe(15)
    expect(serverLoad([old], 1, RULES, NOW)).toBe(2)
    expect(serverLoad([busy], 1, RULES, NOW)).toBe(21)
    expect(serverLoad([fresh], 1, { ...RULES, minUserCount: 0 }, NOW)).toBe(2)
    // A new breakout room still counts for nothing.
    expect(serverLoad([meeting({ createTime: NOW, isBreakout: true })], 1, RULES, NOW)).toBe(0)
  })

  test('the sum times the load multiplier; none stored counts as 1', () => {
    const meetings = [meeting({ participantCount: 6, moderatorCount: 1 })]
    expect(serverLoad(meetings, 2, RULES, NOW)).toBe(14)
    expect(serverLoad(meetings, 2.5, RULES, NOW)).toBe(17.5)
    expect(serverLoad(meetings, null, RULES, NOW)).toBe(7)
  })

  test('statistics count every meeting, breakout rooms included', () => {
    expect(
      serverStatistics([
        meeting({ participantCount: 10, moderatorCount: 2, videoCount: 4 }),
        meeting({ participantCount: 12, videoCount: 1, isBreakout: true }),
        meeting({ participantCount: 3 }),
      ]),
    ).toEqual({ meetings: 3, users: 25, largestMeeting: 12, videos: 5 })
    expect(serverStatistics([])).toEqual({ meetings: 0, users: 0, largestMeeting: 0, videos: 0 })
  })
})

describe('nextPollState', () => {
  const answered = (meetings: MeetingFigures[] = [], bbbVersion?: string | null) => ({ ok: true as const, meetings, bbbVersion })
  const failed = { ok: false as const }

  test('an online server that answers gets its load, statistics, version and poll time', () => {
    const next = nextPollState(state({ unhealthyCounter: 1 }), answered([meeting({ participantCount: 4, videoCount: 2 })], '3.0.24'), RULES, NOW)
    expect(next).toEqual({
      state: 'enabled',
      online: true,
      load: 4,
      healthyCounter: 0,
      unhealthyCounter: 0,
      figures: { meetings: 1, users: 4, largestMeeting: 4, videos: 2 },
      bbbVersion: '3.0.24',
      polledAt: new Date(NOW),
    })
  })

  test('the version stays as it is when the API root call failed', () => {
    expect(nextPollState(state(), answered([]), RULES, NOW)).not.toHaveProperty('bbbVersion')
  })

  test('an offline server comes online after SERVER_HEALTHY_THRESHOLD answers in a row', () => {
    const rules = { ...RULES, healthyThreshold: 3 }
    const one = nextPollState(state({ online: false, load: null }), answered([meeting({ participantCount: 5 })]), rules, NOW)
    expect(one).toMatchObject({ online: false, load: null, healthyCounter: 1, figures: { users: 5 } })
    const two = nextPollState(state({ online: false, load: null, healthyCounter: 1 }), answered([meeting({ participantCount: 5 })]), rules, NOW)
    expect(two).toMatchObject({ online: false, load: null, healthyCounter: 2 })
    const three = nextPollState(state({ online: false, load: null, healthyCounter: 2 }), answered([meeting({ participantCount: 5 })]), rules, NOW)
    expect(three).toMatchObject({ online: true, load: 5, healthyCounter: 0, unhealthyCounter: 0 })
  })

  test('an online server goes offline after SERVER_UNHEALTHY_THRESHOLD failures in a row; its figures stay', () => {
    const one = nextPollState(state({ healthyCounter: 1 }), failed, RULES, NOW)
    expect(one).toEqual({ state: 'enabled', online: true, load: 5, healthyCounter: 0, unhealthyCounter: 1 })
    const two = nextPollState(state({ unhealthyCounter: 1 }), failed, RULES, NOW)
    expect(two).toEqual({ state: 'enabled', online: false, load: null, healthyCounter: 0, unhealthyCounter: 0 })
    // Already offline: nothing more to count.
    expect(nextPollState(state({ online: false, load: null, healthyCounter: 2 }), failed, RULES, NOW)).toEqual({
      state: 'enabled',
      online: false,
      load: null,
      healthyCounter: 0,
      unhealthyCounter: 0,
    })
  })

  test('an answer between failures resets the count of failures', () => {
    const rules = { ...RULES, unhealthyThreshold: 2 }
    let current = state()
    for (const outcome of [failed, answered(), failed, answered(), failed]) {
      const next = nextPollState(current, outcome, rules, NOW)
      current = { ...current, ...next }
    }
    expect(current).toMatchObject({ online: true, unhealthyCounter: 1 })
  })

  test('a cordoned server whose load is now 0 becomes disabled, with no load', () => {
    expect(nextPollState(state({ state: 'cordoned' }), answered([]), RULES, NOW)).toMatchObject({ state: 'disabled', load: null })
    // Only breakout rooms left: load 0 too.
    expect(nextPollState(state({ state: 'cordoned' }), answered([meeting({ participantCount: 3, isBreakout: true })]), RULES, NOW)).toMatchObject({
      state: 'disabled',
      load: null,
      figures: { meetings: 1, users: 3 },
    })
    expect(nextPollState(state({ state: 'cordoned' }), answered([meeting({ participantCount: 1 })]), RULES, NOW)).toMatchObject({ state: 'cordoned', load: 1 })
  })

  test('a cordoned server coming back online is disabled only when it is really empty', () => {
    const rules = { ...RULES, healthyThreshold: 2 }
    const busy = nextPollState(state({ state: 'cordoned', online: false, load: null }), answered([meeting({ participantCount: 2 })]), rules, NOW)
    expect(busy).toMatchObject({ state: 'cordoned', online: false, load: null })
    const empty = nextPollState(state({ state: 'cordoned', online: false, load: null }), answered([]), rules, NOW)
    expect(empty).toMatchObject({ state: 'disabled', online: false, load: null })
  })

  test('a cordoned server that does not answer stays cordoned', () => {
    expect(nextPollState(state({ state: 'cordoned', load: 0 }), failed, RULES, NOW)).toMatchObject({ state: 'cordoned' })
  })

  test('an enabled or disabled server never changes state; a disabled one never has a load', () => {
    expect(nextPollState(state({ state: 'enabled' }), answered([]), RULES, NOW)).toMatchObject({ state: 'enabled', load: 0 })
    expect(nextPollState(state({ state: 'disabled', load: null }), answered([meeting({ participantCount: 9 })]), RULES, NOW)).toMatchObject({
      state: 'disabled',
      load: null,
      figures: { users: 9 },
    })
    expect(nextPollState(state({ state: 'disabled', online: false, load: null }), failed, RULES, NOW)).toMatchObject({ state: 'disabled' })
  })
})

describe('pollRules: the environment', () => {
  test("Scalelite's defaults", () => {
    expect(pollRules({})).toEqual(RULES)
  })

  test('values given', () => {
    expect(pollRules({ LOAD_MIN_USER_COUNT: '0', LOAD_JOIN_BUFFER_TIME: '5', SERVER_HEALTHY_THRESHOLD: '3', SERVER_UNHEALTHY_THRESHOLD: '4' })).toEqual({
      minUserCount: 0,
      joinBufferMs: 5 * MINUTE,
      healthyThreshold: 3,
      unhealthyThreshold: 4,
    })
  })

  test.each([
    ['LOAD_MIN_USER_COUNT', '-1', "LOAD_MIN_USER_COUNT must be a whole number from 0 up, not '-1'"],
    ['LOAD_JOIN_BUFFER_TIME', '1.5', "LOAD_JOIN_BUFFER_TIME must be a whole number from 0 up, not '1.5'"],
    ['SERVER_HEALTHY_THRESHOLD', '0', "SERVER_HEALTHY_THRESHOLD must be a whole number from 1 up, not '0'"],
    ['SERVER_UNHEALTHY_THRESHOLD', 'two', "SERVER_UNHEALTHY_THRESHOLD must be a whole number from 1 up, not 'two'"],
  ])('%s=%s is refused', (name, value, message) => {
    expect(() => pollRules({ [name]: value })).toThrow(new UsageError(message))
  })
})
