// `servers status` end to end: the figures of the last poll from the database alone, sorted by
// hostname, with the age of each server's figures (stale ones marked) and the totals. 500 servers,
// most of them unreachable, answer without a single network call; a malformed stored URL is listed.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type BbbStandIn, deadPort, startBbb } from '../support/bbb-server.ts'
import { cli } from '../support/cli.ts'
import { freshDb, removeTempDirs, SQL_BACKENDS, type TestDb } from '../support/db.ts'
import { type SeedServer, seedServers } from '../support/fleet-fixtures.ts'
import { onTerminal, plain } from '../support/pty.ts'
import { createSchema } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const MINUTE = 60_000
const EMPTY_TOTALS = { servers: 0, enabled: 0, cordoned: 0, disabled: 0, online: 0, offline: 0, stale: 0, meetings: 0, users: 0, largest_meeting: 0, videos: 0, load: 0 }

/** A small fleet with every case: fresh, stale and never polled, each state, a tag, a malformed URL. */
function smallFleet(now: number): SeedServer[] {
  return [
    // Ids in another order than the hostnames.
    { id: 'z-1', url: 'https://bbb1.example.com/bigbluebutton/api', state: 'enabled', online: true, load: 27, meetings: 3, users: 16, largest_meeting: 10, videos: 4, bbb_version: '3.0.24', tag: 'big', polled_at: now - 150_000 },
    { id: 'y-2', url: 'https://BBB2.example.com/bigbluebutton/api', state: 'cordoned', online: true, load: 7.5, meetings: 1, users: 3, largest_meeting: 3, videos: 0, bbb_version: '2.7.12', polled_at: now - 10.5 * MINUTE },
    // Disabled: the load stored by another program is not shown.
    { id: 'x-3', url: 'https://bbb3.example.com/bigbluebutton/api', state: 'disabled', online: false, load: 4, meetings: 0, users: 0, largest_meeting: 0, videos: 0, polled_at: now - 3.5 * 3600_000 },
    { id: 'w-4', url: 'https://bbb4.example.com/bigbluebutton/api', state: 'enabled', online: false },
    { id: 'v-5', url: 'bbb0.example.com', state: 'enabled', online: false },
  ]
}

describe.each(SQL_BACKENDS)('servers status on %s', (backend) => {
  let db: TestDb
  let bbb: BbbStandIn | undefined

  beforeEach(async () => {
    db = await freshDb(backend)
    await createSchema(db)
  })
  afterEach(async () => {
    await bbb?.stop()
    bbb = undefined
    await db.drop()
  })

  test('--json: every server sorted by hostname with its figures, their time and staleness, and the totals', async () => {
    const now = Date.now()
    await seedServers(db, smallFleet(now))

    const result = await cli(['servers', 'status', '--json'], { db: db.url })

    const at = (ago: number) => new Date(now - ago).toISOString()
    const none = { meetings: null, users: null, largest_meeting: null, videos: null, load: null, bbb_version: '', tag: '', polled_at: null, stale: true }
    const document = {
      servers: [
        // A malformed URL sorts as itself.
        { id: 'v-5', hostname: 'bbb0.example.com', state: 'enabled', online: 'offline', ...none },
        { id: 'z-1', hostname: 'bbb1.example.com', state: 'enabled', online: 'online', meetings: 3, users: 16, largest_meeting: 10, videos: 4, load: 27, bbb_version: '3.0.24', tag: 'big', polled_at: at(150_000), stale: false },
        { id: 'y-2', hostname: 'bbb2.example.com', state: 'cordoned', online: 'online', meetings: 1, users: 3, largest_meeting: 3, videos: 0, load: 7.5, bbb_version: '2.7.12', tag: '', polled_at: at(10.5 * MINUTE), stale: true },
        { id: 'x-3', hostname: 'bbb3.example.com', state: 'disabled', online: 'offline', meetings: 0, users: 0, largest_meeting: 0, videos: 0, load: null, bbb_version: '', tag: '', polled_at: at(3.5 * 3600_000), stale: true },
        { id: 'w-4', hostname: 'bbb4.example.com', state: 'enabled', online: 'offline', ...none },
      ],
      totals: { servers: 5, enabled: 3, cordoned: 1, disabled: 1, online: 2, offline: 3, stale: 4, meetings: 4, users: 19, largest_meeting: 10, videos: 4, load: 34.5 },
    }
    expect(result).toEqual({ stdout: `${JSON.stringify(document)}\n`, stderr: '', code: 0 })
  })

  test('piped: one tab-separated row per server, no header and no totals; --stale-after moves the mark', async () => {
    const now = Date.now()
    await seedServers(db, smallFleet(now))

    const result = await cli(['servers', 'status'], { db: db.url })

    expect(result).toEqual({
      stdout: [
        'bbb0.example.com\tenabled\toffline\t\t\t\t\t\t\t\tnever',
        'bbb1.example.com\tenabled\tonline\t3\t16\t10\t4\t27\t3.0.24\tbig\t2m ago',
        'bbb2.example.com\tcordoned\tonline\t1\t3\t3\t0\t7.5\t2.7.12\t\t10m ago (stale)',
        'bbb3.example.com\tdisabled\toffline\t0\t0\t0\t0\t\t\t\t3h ago (stale)',
        'bbb4.example.com\tenabled\toffline\t\t\t\t\t\t\t\tnever',
        '',
      ].join('\n'),
      stderr: '',
      code: 0,
    })

    const lenient = await cli(['servers', 'status', '--stale-after', '15', '--json'], { db: db.url })
    expect(lenient.code).toBe(0)
    expect(JSON.parse(lenient.stdout).servers.map((s: { id: string; stale: boolean }) => [s.id, s.stale])).toEqual([
      ['v-5', true],
      ['z-1', false],
      ['y-2', false],
      ['x-3', true],
      ['w-4', true],
    ])
    const strict = await cli(['servers', 'status', '--stale-after', '0.25', '--json'], { db: db.url })
    expect(JSON.parse(strict.stdout).totals.stale).toBe(5)
  })

  test('--stale-after must be minutes above 0 (exit 2); no servers is an empty document, exit 0', async () => {
    expect(await cli(['servers', 'status', '--stale-after', '0'], { db: db.url })).toEqual({
      stdout: '',
      stderr: "error: --stale-after must be a number of minutes above 0, not '0'\n",
      code: 2,
    })
    expect(await cli(['servers', 'status', '--stale-after', 'soon', '--json'], { db: db.url })).toEqual({
      stdout: '',
      stderr: `{"error":"--stale-after must be a number of minutes above 0, not 'soon'"}\n`,
      code: 2,
    })
    expect(await cli(['servers', 'status', '--json'], { db: db.url })).toEqual({ stdout: `${JSON.stringify({ servers: [], totals: EMPTY_TOTALS })}\n`, stderr: '', code: 0 })
    expect(await cli(['servers', 'status'], { db: db.url })).toEqual({ stdout: '', stderr: '', code: 0 })
  })

  test('500 servers, most unreachable: answered from the database alone, without one network call', async () => {
    // A stand-in that records every request and never answers, and a port where nothing listens.
    bbb = await startBbb({ secret: 's', hang: true })
    const dead = await deadPort()
    const now = Date.now()
    const servers: SeedServer[] = Array.from({ length: 500 }, (_, i) => {
      const n = String(i).padStart(3, '0')
      const url = i % 2 === 0 ? `http://127.0.0.1:${dead}/${n}/bigbluebutton/api` : `${bbb!.url.replace('/bigbluebutton', `/${n}/bigbluebutton`)}`
      const polled = i % 5 === 0 ? { online: true, load: i % 7, meetings: 1, users: 2, largest_meeting: 2, videos: 1, polled_at: now - MINUTE } : { online: false }
      return { id: `srv-${n}`, url: i === 499 ? 'not a url' : url, state: i % 3 === 0 ? 'cordoned' : 'enabled', ...polled }
    })
    await seedServers(db, servers)
    const startCost = async () => {
      const started = Date.now()
      expect((await cli(['servers', 'show', 'srv-001', '--json'], { db: db.url })).code).toBe(0)
      return Date.now() - started
    }
    const baseline = await startCost()

    const started = Date.now()
    const result = await cli(['servers', 'status', '--json'], { db: db.url, env: { CONNECT_TIMEOUT: '5', RESPONSE_TIMEOUT: '5' } })
    const took = Date.now() - started

    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const document = JSON.parse(result.stdout) as { servers: { id: string; hostname: string; stale: boolean }[]; totals: Record<string, number> }
    expect(document.servers).toHaveLength(500)
    // Every hostname is 127.0.0.1 but one; then the URL decides, and the malformed one sorts as itself.
    const byUrl = servers.slice(0, 499).sort((a, b) => (a.url < b.url ? -1 : 1))
    expect(document.servers.map((s) => s.id)).toEqual([...byUrl.map((s) => s.id), 'srv-499'])
    expect(document.servers.at(-1)).toMatchObject({ id: 'srv-499', hostname: 'not a url', stale: true })
    const polled = servers.filter((s) => s.polled_at)
    expect(document.totals).toEqual({
      servers: 500,
      enabled: 333,
      cordoned: 167,
      disabled: 0,
      online: 100,
      offline: 400,
      stale: 400,
      meetings: 100,
      users: 200,
      largest_meeting: 2,
      videos: 100,
      load: polled.reduce((sum, s) => sum + (s.load ?? 0), 0),
    })
    expect(bbb.requests).toEqual([])
    // Well under a second on top of what any command costs here.
    expect(took).toBeLessThan(baseline + 1000)
  })
})

describe('servers status on a terminal', () => {
  test('a table with a header, the stale figures marked, and a totals row', async () => {
    const db = await freshDb('sqlite')
    try {
      await createSchema(db)
      const now = Date.now()
      await seedServers(db, smallFleet(now))

      const { screen, code, asked } = await onTerminal(['servers', 'status'], { db: db.url })

      expect({ code, asked }).toEqual({ code: 0, asked: false })
      const rows = plain(screen)
        .trimEnd()
        .split('\n')
        .filter((line) => line.startsWith('│'))
        .map((line) => line.slice(1, -1).split('│').map((cell) => cell.trim()))
      expect(rows).toEqual([
        ['HOSTNAME', 'STATE', 'STATUS', 'MEETINGS', 'USERS', 'LARGEST MEETING', 'VIDEOS', 'LOAD', 'BBB VERSION', 'TAG', 'POLLED'],
        ['bbb0.example.com', 'enabled', 'offline', '', '', '', '', '', '', '', 'never'],
        ['bbb1.example.com', 'enabled', 'online', '3', '16', '10', '4', '27', '3.0.24', 'big', '2m ago'],
        ['bbb2.example.com', 'cordoned', 'online', '1', '3', '3', '0', '7.5', '2.7.12', '', '10m ago (stale)'],
        ['bbb3.example.com', 'disabled', 'offline', '0', '0', '0', '0', '', '', '', '3h ago (stale)'],
        ['bbb4.example.com', 'enabled', 'offline', '', '', '', '', '', '', '', 'never'],
        ['TOTAL (5)', '3 enabled', '2 online', '4', '19', '10', '4', '34.5', '', '', '4 stale'],
      ])
      // Stale ages in yellow.
      expect(screen).toContain('\x1b[33m10m ago (stale)\x1b[39m')
    } finally {
      await db.drop()
    }
  })
})
