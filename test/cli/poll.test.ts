// `servers poll` end to end: the built CLI against several BBB stand-ins on 127.0.0.1 with canned
// getMeetings replies, on both backends. Exact stored figures (Scalelite's load formula with breakout
// rooms, the minimum user count of new meetings and the multiplier), a server answering FAILED and
// one never answering (exit 5, each named on stderr), the healthy/unhealthy hysteresis over several
// runs, cordoned → disabled, and a silent server not holding up the others.
import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type BbbStandIn, deadPort, type StandInOptions, startBbb } from '../support/bbb-server.ts'
import { cli, type CliResult } from '../support/cli.ts'
import { freshDb, removeTempDirs, SQL_BACKENDS, type TestDb } from '../support/db.ts'
import { fleetRow, fleetRows, seedServers, sortWarnings } from '../support/fleet-fixtures.ts'
import { createSchema } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const SECRET = 'poll-secret-1'
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const MINUTE = 60_000

// A Redis store refuses poll: Scalelite's own poller polls those servers.
describe.each(SQL_BACKENDS)('servers poll on %s', (backend) => {
  let db: TestDb
  const standIns: BbbStandIn[] = []

  beforeEach(async () => {
    db = await freshDb(backend)
    await createSchema(db)
  })
  afterEach(async () => {
    for (const bbb of standIns.splice(0)) await bbb.stop()
    await db.drop()
  })

  const standIn = async (options: Partial<StandInOptions> = {}) => {
    const bbb = await startBbb({ secret: SECRET, ...options })
    standIns.push(bbb)
    return bbb
  }
  const run = async (args: string[], env: Record<string, string> = {}): Promise<CliResult> => {
    const result = await cli(args, { db: db.url, env })
    return { ...result, stderr: sortWarnings(result.stderr) }
  }
  /** The stored figures that a poll writes. */
  const figures = async (id: string) => {
    const { state, online, load, bbb_version, meetings, users, largest_meeting, videos, healthy_counter, unhealthy_counter } = await fleetRow(db, id)
    return { state, online, load, bbb_version, meetings, users, largest_meeting, videos, healthy_counter, unhealthy_counter }
  }

  test('stores the load, statistics, version and online of each server; a FAILED and a silent server are named, exit 5', async () => {
    const now = Date.now()
    const a = await standIn({
      bbbVersion: '3.0.24',
      meetings: {
        lecture: { participantCount: 10, moderatorCount: 2, videoCount: 3, createTime: now - 60 * MINUTE },
        'lecture-breakout': { participantCount: 4, moderatorCount: 1, videoCount: 1, isBreakout: true, createTime: now - 30 * MINUTE },
        // Created a minute ago with 2 users: counts for LOAD_MIN_USER_COUNT (15) until 15 minutes have passed.
        'just-started': { participantCount: 2, moderatorCount: 0, createTime: now - MINUTE },
        'older-small': { participantCount: 3, moderatorCount: 0, createTime: now - 20 * MINUTE },
      },
    })
    const b = await standIn({ bbbVersion: '2.7.12', meetings: { seminar: { participantCount: 6, moderatorCount: 1, videoCount: 2, createTime: now - 60 * MINUTE } } })
    const c = await standIn({ meetings: {} })
    const d = await startBbb({ secret: 'not-the-stored-secret' }).then((s) => (standIns.push(s), s))
    const e = await standIn({ hang: true })
    const f = await standIn({ meetings: { leftover: { participantCount: 5, moderatorCount: 1, videoCount: 1, createTime: now - 60 * MINUTE } } })
    await seedServers(db, [
      { id: 'srv-a', url: a.url, secret: SECRET, state: 'enabled', online: false, load_multiplier: 1 },
      { id: 'srv-b', url: b.url, secret: SECRET, state: 'enabled', online: true, load: 1, load_multiplier: 2 },
      { id: 'srv-c', url: c.url, secret: SECRET, state: 'cordoned', online: true, load: 3, load_multiplier: 1 },
      { id: 'srv-d', url: d.url, secret: SECRET, state: 'enabled', online: true, load: 8, load_multiplier: 1, meetings: 2, users: 9 },
      { id: 'srv-e', url: e.url, secret: SECRET, state: 'enabled', online: true, load: 4, load_multiplier: 1 },
      { id: 'srv-f', url: f.url, secret: SECRET, state: 'disabled', online: false, load_multiplier: 1 },
    ])

    const result = await run(['servers', 'poll'], { RESPONSE_TIMEOUT: '2' })

    expect(result).toEqual({
      stdout: '',
      stderr:
        'warning: Could not poll server id=srv-d (127.0.0.1): checksumError: You did not pass the checksum security check\n' +
        `warning: Could not poll server id=srv-e (127.0.0.1): no reply from 127.0.0.1:${e.port} within 2 s\n` +
        'error: 2 of 6 servers could not be polled; everything else was stored\n',
      code: 5,
    })
    const polled = { healthy_counter: 0, unhealthy_counter: 0 }
    // (10 + 2) + max(2 + 0, 15) + (3 + 0); the breakout room is left out of the load but not of the statistics.
    expect(await figures('srv-a')).toEqual({ state: 'enabled', online: true, load: 30, bbb_version: '3.0.24', meetings: 4, users: 19, largest_meeting: 10, videos: 4, ...polled })
    // (6 + 1) × 2
    expect(await figures('srv-b')).toEqual({ state: 'enabled', online: true, load: 14, bbb_version: '2.7.12', meetings: 1, users: 6, largest_meeting: 6, videos: 2, ...polled })
    // Cordoned and empty: disabled, and a disabled server has no load.
    expect(await figures('srv-c')).toEqual({ state: 'disabled', online: true, load: null, bbb_version: '3.0.24', meetings: 0, users: 0, largest_meeting: 0, videos: 0, ...polled })
    // Failed once: still online (SERVER_UNHEALTHY_THRESHOLD is 2), load and figures as they were.
    expect(await figures('srv-d')).toEqual({ state: 'enabled', online: true, load: 8, bbb_version: null, meetings: 2, users: 9, largest_meeting: null, videos: null, healthy_counter: 0, unhealthy_counter: 1 })
    expect(await figures('srv-e')).toEqual({ state: 'enabled', online: true, load: 4, bbb_version: null, meetings: null, users: null, largest_meeting: null, videos: null, healthy_counter: 0, unhealthy_counter: 1 })
    // Disabled servers are polled too (online and figures), but have no load.
    expect(await figures('srv-f')).toEqual({ state: 'disabled', online: true, load: null, bbb_version: '3.0.24', meetings: 1, users: 5, largest_meeting: 5, videos: 1, ...polled })

    const rows = await fleetRows(db)
    for (const row of rows) {
      if (['srv-d', 'srv-e'].includes(row.id)) expect(row.polled_at).toBeNull()
      else expect(row.polled_at).toBeGreaterThanOrEqual(now - 1000)
    }
    // getMeetings and the API root, signed as Scalelite signs them.
    expect(a.requests.map((r) => [r.path, r.rawQuery]).sort()).toEqual([
      ['/bigbluebutton/api/', `checksum=${sha256(SECRET)}`],
      ['/bigbluebutton/api/getMeetings', `checksum=${sha256(`getMeetings${SECRET}`)}`],
    ])
    for (const bbb of [a, b, c, e, f]) expect(bbb.requests.map((r) => [r.action, r.checksumValid]).sort()).toEqual([['', true], ['getMeetings', true]])
  })

  test('--json prints the status of the polled servers (exit 0), and a cron-style run repeats it', async () => {
    const now = Date.now()
    const a = await standIn({ meetings: { m1: { participantCount: 20, moderatorCount: 1, videoCount: 5, createTime: now - 60 * MINUTE } } })
    const b = await standIn({ bbbVersion: null, meetings: {} })
    await seedServers(db, [
      { id: 'srv-a', url: a.url, secret: SECRET, state: 'enabled', online: true, load_multiplier: 2.5, tag: 'big' },
      { id: 'srv-b', url: b.url, secret: SECRET, state: 'enabled', online: true, load_multiplier: 1, bbb_version: '2.7.0' },
    ])

    const result = await run(['servers', 'poll', '--json'])

    const rows = await fleetRows(db)
    const at = (id: string) => new Date(rows.find((r) => r.id === id)!.polled_at!).toISOString()
    const server = { state: 'enabled', online: 'online', stale: false }
    // The two stand-ins have the same hostname; the URL (the port) decides the order.
    const [first, second] = [
      { id: 'srv-a', url: a.url, hostname: '127.0.0.1', ...server, meetings: 1, users: 20, largest_meeting: 20, videos: 5, load: 52.5, bbb_version: '3.0.24', tag: 'big', polled_at: at('srv-a') },
      // A BBB that does not reveal its version: the version becomes unknown.
      { id: 'srv-b', url: b.url, hostname: '127.0.0.1', ...server, meetings: 0, users: 0, largest_meeting: 0, videos: 0, load: 0, bbb_version: '', tag: '', polled_at: at('srv-b') },
    ].sort((x, y) => (x.url < y.url ? -1 : 1))
    const entry = ({ id, hostname, state, online, meetings, users, largest_meeting, videos, load, bbb_version, tag, polled_at, stale }: typeof first) =>
      ({ id, hostname, state, online, meetings, users, largest_meeting, videos, load, bbb_version, tag, polled_at, stale })
    const document = {
      servers: [entry(first!), entry(second!)],
      totals: { servers: 2, enabled: 2, cordoned: 0, disabled: 0, online: 2, offline: 0, stale: 0, meetings: 1, users: 20, largest_meeting: 20, videos: 5, load: 52.5 },
    }
    expect(result).toEqual({ stdout: `${JSON.stringify(document)}\n`, stderr: '', code: 0 })
    expect(rows.map((r) => [r.id, r.bbb_version])).toEqual([
      ['srv-a', '3.0.24'],
      ['srv-b', null],
    ])

    // Piped, without --json: the status rows.
    const again = await run(['servers', 'poll'])
    expect(again.code).toBe(0)
    expect(again.stderr).toBe('')
    expect(again.stdout.split('\n').filter(Boolean).map((line) => line.split('\t').slice(0, 10))).toEqual(
      [
        [first!.hostname, 'enabled', 'online', String(first!.meetings), String(first!.users), String(first!.largest_meeting), String(first!.videos), String(first!.load), first!.bbb_version, first!.tag],
        [second!.hostname, 'enabled', 'online', String(second!.meetings), String(second!.users), String(second!.largest_meeting), String(second!.videos), String(second!.load), second!.bbb_version, second!.tag],
      ],
    )
    expect(again.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[10])).toEqual(['0s ago', '0s ago'])
  })

  test('online and offline follow SERVER_UNHEALTHY_THRESHOLD and SERVER_HEALTHY_THRESHOLD over several runs', async () => {
    const dead = await deadPort()
    await seedServers(db, [{ id: 'flaky', url: `http://127.0.0.1:${dead}/bigbluebutton/api`, secret: SECRET, state: 'enabled', online: true, load: 7, load_multiplier: 1, meetings: 3, users: 7 }])
    const warning = `warning: Could not poll server id=flaky (127.0.0.1): connection refused (127.0.0.1:${dead})\n`
    const failed = { stdout: '', stderr: `${warning}error: 1 of 1 servers could not be polled; everything else was stored\n`, code: 5 }
    const env = { SERVER_UNHEALTHY_THRESHOLD: '3', SERVER_HEALTHY_THRESHOLD: '2' }

    expect(await run(['servers', 'poll'], env)).toEqual(failed)
    expect(await figures('flaky')).toMatchObject({ online: true, load: 7, unhealthy_counter: 1 })
    expect(await run(['servers', 'poll'], env)).toEqual(failed)
    expect(await figures('flaky')).toMatchObject({ online: true, load: 7, unhealthy_counter: 2 })
    expect(await run(['servers', 'poll'], env)).toEqual(failed)
    // Offline: the load is unknown; the figures of the last good poll stay (no meeting was ended).
    expect(await figures('flaky')).toMatchObject({ online: false, load: null, meetings: 3, users: 7, healthy_counter: 0, unhealthy_counter: 0 })

    // Back: answering once is not enough with SERVER_HEALTHY_THRESHOLD=2.
    const bbb = await standIn({ meetings: { m: { participantCount: 4, moderatorCount: 1, createTime: Date.now() - 60 * MINUTE } } })
    await db.query('UPDATE servers SET url = $1', bbb.url)
    const first = await run(['servers', 'poll', 'flaky', '--json'], env)
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout).servers[0]).toMatchObject({ online: 'offline', load: null, meetings: 1, users: 4 })
    expect(await figures('flaky')).toMatchObject({ online: false, load: null, meetings: 1, users: 4, healthy_counter: 1 })
    expect((await run(['servers', 'poll', 'flaky'], env)).code).toBe(0)
    expect(await figures('flaky')).toMatchObject({ online: true, load: 5, healthy_counter: 0, unhealthy_counter: 0 })
  })

  test('a cordoned server is disabled once its load is 0, not before; an enabled one never', async () => {
    const bbb = await standIn({ meetings: { m: { participantCount: 1, createTime: Date.now() - 60 * MINUTE } } })
    const empty = await standIn({ meetings: {} })
    await seedServers(db, [
      { id: 'draining', url: bbb.url, secret: SECRET, state: 'cordoned', online: true, load: 5 },
      { id: 'idle', url: empty.url, secret: SECRET, state: 'enabled', online: true, load: 5 },
    ])

    expect((await run(['servers', 'poll'])).code).toBe(0)
    expect(await figures('draining')).toMatchObject({ state: 'cordoned', load: 1 })
    expect(await figures('idle')).toMatchObject({ state: 'enabled', load: 0 })

    bbb.options = { ...bbb.options, meetings: {} }
    expect((await run(['servers', 'poll'])).code).toBe(0)
    expect(await figures('draining')).toMatchObject({ state: 'disabled', load: null, meetings: 0 })
    expect(await figures('idle')).toMatchObject({ state: 'enabled', load: 0 })
  })

  test('a silent server gives its place to the others at once (BBB_CONCURRENCY=1) and costs only its own timeout', async () => {
    // The servers are polled in hostname, then URL order: the silent one gets the stand-in whose URL sorts first.
    const [silent, ...others] = (await Promise.all([standIn(), standIn(), standIn()])).sort((x, y) => (x.url < y.url ? -1 : 1))
    let silentAsked = 0
    silent!.options = { secret: SECRET, hang: true, onRequest: () => (silentAsked ||= Date.now()) }
    await seedServers(db, [
      { id: 'silent', url: silent!.url, secret: SECRET, online: true },
      { id: 'other-1', url: others[0]!.url, secret: SECRET, online: true },
      { id: 'other-2', url: others[1]!.url, secret: SECRET, online: true },
    ])

    // What any command costs on this machine now (process start, opening the database), for the bound below.
    let started = Date.now()
    expect((await run(['servers', 'status'])).code).toBe(0)
    const startCost = Date.now() - started
    started = Date.now()
    const result = await run(['servers', 'poll'], { BBB_CONCURRENCY: '1', RESPONSE_TIMEOUT: '4' })
    const took = Date.now() - started

    expect(result).toEqual({
      stdout: '',
      stderr: `warning: Could not poll server id=silent (127.0.0.1): no reply from 127.0.0.1:${silent!.port} within 4 s\nerror: 1 of 3 servers could not be polled; everything else was stored\n`,
      code: 5,
    })
    const rows = await fleetRows(db)
    // Polled about a second after the silent server was asked, long before its 4 s were up.
    for (const id of ['other-1', 'other-2']) expect(rows.find((r) => r.id === id)!.polled_at! - silentAsked).toBeLessThan(2500)
    // The whole run: about the silent server's own timeout on top of what any command costs.
    expect(took).toBeLessThan(startCost + 4000 + 2000)
  })

  test('only the servers named are polled; an unknown one is exit 3 before any call', async () => {
    const a = await standIn()
    const b = await standIn()
    await seedServers(db, [
      { id: 'srv-a', url: a.url, secret: SECRET, online: true },
      { id: 'srv-b', url: b.url, secret: SECRET, online: true },
    ])

    expect(await run(['servers', 'poll', 'srv-a', 'nope', '--json'])).toEqual({ stdout: '', stderr: `{"error":"Couldn't find server with id=nope"}\n`, code: 3 })
    expect(a.requests.length + b.requests.length).toBe(0)

    expect((await run(['servers', 'poll', 'srv-b'])).code).toBe(0)
    expect(a.requests).toEqual([])
    expect(b.calls('getMeetings')).toHaveLength(1)
    expect((await fleetRow(db, 'srv-a')).polled_at).toBeNull()
  })

  test('a malformed stored URL is a failure named on stderr; invalid poll settings are exit 2 before any call', async () => {
    const bbb = await standIn()
    await seedServers(db, [
      { id: 'bad-url', url: 'bbb.example.com', secret: SECRET, online: true },
      { id: 'good', url: bbb.url, secret: SECRET, online: true },
    ])

    expect(await run(['servers', 'poll', '--json'], { SERVER_HEALTHY_THRESHOLD: '0' })).toEqual({
      stdout: '',
      stderr: `{"error":"SERVER_HEALTHY_THRESHOLD must be a whole number from 1 up, not '0'"}\n`,
      code: 2,
    })
    expect(bbb.requests).toEqual([])

    expect(await run(['servers', 'poll'])).toEqual({
      stdout: '',
      stderr:
        'warning: Could not poll server id=bad-url (bbb.example.com): invalid server URL bbb.example.com\n' +
        'error: 1 of 2 servers could not be polled; everything else was stored\n',
      code: 5,
    })
    expect(await figures('good')).toMatchObject({ online: true, load: 0, meetings: 0 })
  })

  test('a server whose API root fails is still polled; the version stays and the failure is named (exit 5)', async () => {
    const bbb = await standIn({ rootFails: { messageKey: 'internalError', message: 'Version unavailable' }, meetings: { m: { participantCount: 2, createTime: Date.now() - 60 * MINUTE } } })
    await seedServers(db, [{ id: 'srv', url: bbb.url, secret: SECRET, online: true, bbb_version: '2.7.3' }])

    expect(await run(['servers', 'poll'])).toEqual({
      stdout: '',
      stderr:
        'warning: Could not get the BBB version of server id=srv (127.0.0.1): internalError: Version unavailable\n' +
        'error: the BBB version of 1 could not be read; everything else was stored\n',
      code: 5,
    })
    expect(await figures('srv')).toMatchObject({ online: true, load: 2, meetings: 1, bbb_version: '2.7.3' })
  })

  test('no servers: nothing to poll, exit 0 with an empty status', async () => {
    expect(await run(['servers', 'poll', '--json'])).toEqual({
      stdout: '{"servers":[],"totals":{"servers":0,"enabled":0,"cordoned":0,"disabled":0,"online":0,"offline":0,"stale":0,"meetings":0,"users":0,"largest_meeting":0,"videos":0,"load":0}}\n',
      stderr: '',
      code: 0,
    })
  })
})
