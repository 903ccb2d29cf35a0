// The `servers` commands (all but panic) as a user and a script see them: the built binary, stdout,
// stderr and the exit code compared exactly, on every backend. What the load balancer or the poller
// would write (servers of their own, meetings, loads) is written as they would: plain SQL, or on Redis
// Scalelite's own keys (test/support/db.ts).
//
// Each test has its own database, so the tests of a section run concurrently, and independent
// commands inside a test run at once too. Every CLI run costs a process start, so each one asserts something no other run does.
import pLimit from 'p-limit'
import { afterAll, describe, expect, test } from 'vitest'
import { cli, type CliResult } from '../support/cli.ts'
import { BACKENDS, removeTempDirs, type ServerSeed, type TestDb, withDb } from '../support/db.ts'
import {
  createSchema,
  EMPTY_REDIS_WARNING,
  insertMeeting,
  insertServer,
  jsonLine,
  meetingRows,
  serverObject,
  serverRows,
  UUID_V4,
  type ServerObject,
} from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })
const failed = (code: number, message: string): CliResult => ({ stdout: '', stderr: `error: ${message}\n`, code })
const failedJson = (code: number, message: string): CliResult => ({ stdout: '', stderr: jsonLine({ error: message }), code })

const notFound = (ref: string) => `Couldn't find server with id=${ref}`
const NEEDS = 'Server needs a URL and a secret'
const NON_ZERO = 'Load-multiplier must be a non-zero number'
const NEGATIVE = 'Load-multiplier must be greater than zero'
const exists = (url: string, id: string) => `Server already exists with url=${url} (id=${id})`
const noApiWarning = (url: string) => `warning: the URL does not end in /api; BBB calls will go to ${url.replace(/\/?$/, '/')}<call>\n`

/** `servers show` piped: one `field<TAB>value` line per key of the server object. */
const record = (s: ServerObject, secret = '****') =>
  `id\t${s.id}\nurl\t${s.url}\nsecret\t${secret}\ntag\t${s.tag}\nbbb_version\t${s.bbb_version}\nstate\t${s.state}\n` +
  `load\t${s.load}\nload_multiplier\t${typeof s.load_multiplier === 'number' ? '1.0' : s.load_multiplier}\nonline\t${s.online}\n`

/** The id in a command's JSON output, or a marker that makes the comparison after it fail readably. */
function idOf(result: CliResult): string {
  try {
    return (JSON.parse(result.stdout) as { id: string }).id
  } catch {
    return `<no JSON on stdout: ${JSON.stringify(result)}>`
  }
}

// At most this many of this file's commands at once (the concurrency tests excepted): enough to keep
// the cores busy, few enough not to starve the other test files running beside this one.
const slot = pLimit(4)

const runner =
  (db: TestDb, env?: Record<string, string>) =>
  (...args: string[]) =>
    slot(() => cli(args, { db: db.url, env }))

/** `servers add … --json`, which must succeed without a word on stderr; returns the new id. */
async function add(db: TestDb, url: string, secret: string, flags: string[] = [], expected: Partial<ServerObject> = {}): Promise<string> {
  const result = await runner(db)('servers', 'add', url, secret, ...flags, '--json')
  const id = idOf(result)
  expect(result).toEqual(ok(jsonLine(serverObject({ id, url, secret, ...expected }))))
  expect(id).toMatch(UUID_V4)
  return id
}

// Twenty processes at once on two cores take a while, longer still beside the other test files.
const CONCURRENT_TIMEOUT = 120_000

// Fixed ids for servers another program wrote, so that prefixes can be chosen.
const ID1 = 'abcd1234-0000-4000-8000-000000000001'
const ID2 = 'abcd5678-0000-4000-8000-000000000002'
const ID3 = 'ef012345-0000-4000-8000-000000000003'
const ID4 = '9f9f9f9f-0000-4000-8000-000000000004'

/** A server as another program writes it: id, url, secret, state and online. */
type Row = ServerSeed

/** The schema, as the first command leaves it, and these rows as another program writes them. */
async function seed(db: TestDb, ...rows: Row[]): Promise<void> {
  await createSchema(db)
  for (const row of rows) await insertServer(db, row)
}

/** The server object of a server another program wrote: no multiplier stored, so the number 1. */
const seeded = (row: Row, more: Partial<ServerObject> = {}) =>
  serverObject({
    id: row.id,
    url: row.url,
    secret: row.secret,
    state: row.state as ServerObject['state'],
    load_multiplier: 1,
    online: row.online ? 'online' : 'offline',
    ...more,
  })

describe.each(BACKENDS)('servers on %s', (backend) => {
  const it = withDb(backend)

  // spec/requests/servers_controller_spec.rb of Scalelite v1.8.5, with its values, through the CLI.
  describe.concurrent('Scalelite request specs', () => {
    const url = 'https://example.com/bigbluebutton'
    const secret = 'supersecret'
    // The spec's URL has no /api: accepted, with a warning.
    const warning = noApiWarning(url)
    // spec/factories/server.rb: test-N URLs and secrets, load 1, online, enabled.
    const factory = (n: number, id: string): Row => ({
      id,
      url: `https://test-${n}.example.com/bigbluebutton/api`,
      secret: `test-${n}-secret`,
      state: 'enabled',
      online: true,
    })

    it('addServer: creates a server with load multiplier 1.5 and a tag', async ({ db, expect }) => {
      const result = await runner(db)('servers', 'add', url, secret, '--load-multiplier', '1.5', '--tag', 'test-tag', '--json')
      const id = idOf(result)

      expect(result).toEqual(ok(jsonLine(serverObject({ id, url, secret, tag: 'test-tag', load_multiplier: '1.5' })), warning))
      expect(id).toMatch(UUID_V4)
      expect(await serverRows(db)).toEqual([
        { id, url, secret, tag: 'test-tag', state: 'disabled', load: null, load_multiplier: 1.5, online: false, bbb_version: null, updated_at: expect.any(String) },
      ])
    })

    it('addServer: defaults load_multiplier to 1.0 when not given', async ({ db, expect }) => {
      const result = await runner(db)('servers', 'add', url, secret, '--tag', 'test-tag', '--json')
      const id = idOf(result)

      expect(result).toEqual(ok(jsonLine(serverObject({ id, url, secret, tag: 'test-tag', load_multiplier: '1.0' })), warning))
      expect((await serverRows(db)).map((r) => r.load_multiplier)).toEqual([1])
    })

    it('addServer: a missing URL or secret is "Server needs a URL and a secret" and writes nothing', async ({ db, expect }) => {
      await seed(db)
      const sa = runner(db)

      const results = await Promise.all([sa('servers', 'add', url), sa('servers', 'add', '', secret, '--json')])

      expect(results).toEqual([failed(2, NEEDS), failedJson(2, NEEDS)])
      expect(await serverRows(db)).toEqual([])
    })

    it('updateServer: state enable, cordon and disable give enabled, cordoned and disabled', async ({ db, expect }) => {
      const server = { ...factory(1, ID1), state: 'disabled' }
      await seed(db, server)
      const sa = runner(db)

      expect(await sa('servers', 'update', ID1, '--state', 'enable', '--json')).toEqual(ok(jsonLine(seeded(server, { state: 'enabled' }))))
      expect((await serverRows(db))[0]?.state).toBe('enabled')

      // The poller's figure (the factory's load 1); cordoning carries it over.
      await db.setServer(ID1, { load: 1 })
      expect(await sa('servers', 'update', ID1, '--state', 'cordon', '--json')).toEqual(ok(jsonLine(seeded(server, { state: 'cordoned', load: 1 }))))
      expect((await serverRows(db))[0]?.state).toBe('cordoned')

      expect(await sa('servers', 'update', ID1, '--state', 'disable', '--json')).toEqual(ok(jsonLine(seeded(server, { state: 'disabled' }))))
      expect((await serverRows(db))[0]).toMatchObject({ state: 'disabled', load: null })
    })

    it('updateServer: an invalid state parameter is refused and nothing is written', async ({ db, expect }) => {
      await seed(db, factory(1, ID1))
      const before = await serverRows(db)

      expect(await runner(db)('servers', 'update', ID1, '--state', 'x', '--secret', 'changed-secret', '--json')).toEqual(
        failedJson(2, 'Invalid state parameter: x'),
      )
      expect(await serverRows(db)).toEqual(before)
    })

    it('updateServer: load multiplier 2.5 is stored, 0 is refused and writes nothing', async ({ db, expect }) => {
      const server = factory(1, ID1)
      await seed(db, server)
      const sa = runner(db)

      expect(await sa('servers', 'update', ID1, '--load-multiplier', '2.5', '--json')).toEqual(
        ok(jsonLine(seeded(server, { state: 'enabled', load_multiplier: '2.5' }))),
      )
      const before = await serverRows(db)
      expect(before.map((r) => r.load_multiplier)).toEqual([2.5])

      expect(await sa('servers', 'update', ID1, '--load-multiplier', '0', '--tag', 'test-tag', '--json')).toEqual(failedJson(2, NON_ZERO))
      expect(await serverRows(db)).toEqual(before)
    })

    it('updateServer: sets the tag, and an empty tag removes it', async ({ db, expect }) => {
      const server = factory(1, ID1)
      await seed(db, server)
      const sa = runner(db)

      expect(await sa('servers', 'update', ID1, '--tag', 'test-tag', '--json')).toEqual(ok(jsonLine(seeded(server, { state: 'enabled', tag: 'test-tag' }))))
      expect((await serverRows(db)).map((r) => r.tag)).toEqual(['test-tag'])

      expect(await sa('servers', 'update', ID1, '--tag', '', '--json')).toEqual(ok(jsonLine(seeded(server, { state: 'enabled', tag: '' }))))
      expect((await serverRows(db)).map((r) => r.tag)).toEqual([null])
    })

    it('deleteServer: deletes the server', async ({ db, expect }) => {
      await seed(db, factory(1, ID1))

      expect(await runner(db)('servers', 'remove', ID1, '--json')).toEqual(ok(jsonLine({ success: `Server id=${ID1} was destroyed` })))
      expect(await serverRows(db)).toEqual([])
    })

    it('deleteServer: a non-existent server is not found and nothing is deleted', async ({ db, expect }) => {
      await seed(db, factory(1, ID1))

      expect(await runner(db)('servers', 'remove', 'nonexistent-id', '--json')).toEqual(failedJson(3, notFound('nonexistent-id')))
      expect((await serverRows(db)).map((r) => r.id)).toEqual([ID1])
    })

    it('getServers: lists the configured servers as the API renders them', async ({ db, expect }) => {
      const servers = [factory(1, ID1), factory(2, ID2), factory(3, ID3)]
      await seed(db, ...servers)
      for (const s of servers) await db.setServer(s.id, { load: 1 })

      expect(await runner(db)('servers', 'list', '--json')).toEqual(ok(jsonLine(servers.map((s) => seeded(s, { state: 'enabled', load: 1 })))))
    })
  })

  describe.concurrent('servers list', () => {
    // Inserted out of hostname order; ids, URLs and hostnames each sort differently.
    const A: Row = { id: ID1, url: 'https://BBB-C.example.com/bigbluebutton/api', secret: 'secret-c', state: 'cordoned', online: false }
    const B: Row = { id: ID2, url: 'https://bbb-a.example.com/bigbluebutton/api', secret: 'secret-a', state: 'disabled', online: false }
    const C: Row = { id: ID3, url: 'https://bbb-b.example.com/bigbluebutton/api', secret: 'secret-b', state: 'enabled', online: true }
    const D: Row = { id: ID4, url: 'http://bbb-d.example.com:8080/bigbluebutton/api', secret: 'secret-d', state: 'enabled', online: false }

    it('sorts by hostname and filters by tag, state and online', async ({ db, expect }) => {
      await seed(db, A, B, C, D)
      await db.setServer(A.id, { tag: 'blue', load: 0 })
      await db.setServer(B.id, { load_multiplier: 2, load: 7 })
      await db.setServer(C.id, { tag: 'blue', load: 3.5, bbb_version: '3.0.24' })
      const sa = runner(db)

      const a = seeded(A, { tag: 'blue', state: 'cordoned', load: 0 })
      // Disabled: the load is unavailable whatever the column holds.
      const b = seeded(B, { state: 'disabled', load_multiplier: '2.0' })
      const c = seeded(C, { tag: 'blue', bbb_version: '3.0.24', state: 'enabled', load: 3.5 })
      const d = seeded(D, { state: 'enabled' })

      const results = await Promise.all([
        sa('servers', 'list', '--json'),
        sa('servers', 'list', '--tag', 'blue', '--json'),
        sa('servers', 'list', '--tag', '', '--json'),
        sa('servers', 'list', '--state', 'enabled', '--json'),
        sa('servers', 'list', '--online', '--json'),
        sa('servers', 'list', '--offline', '--state', 'cordoned', '--json'),
      ])

      expect(results).toEqual([
        ok(jsonLine([b, c, a, d])),
        ok(jsonLine([c, a])),
        ok(jsonLine([b, d])),
        ok(jsonLine([c, d])),
        ok(jsonLine([c])),
        ok(jsonLine([a])),
      ])
    })

    it('--online with --offline, and an unknown --state, are usage errors', async ({ db, expect }) => {
      await seed(db, A)
      const sa = runner(db)

      const results = await Promise.all([sa('servers', 'list', '--online', '--offline'), sa('servers', 'list', '--state', 'x', '--json')])

      expect(results).toEqual([failed(2, 'Give --online or --offline, not both'), failedJson(2, 'Invalid state parameter: x')])
    })

    it('no servers, piped: nothing on stdout, exit 0', async ({ db, expect }) => {
      // On Redis an empty namespace may be the wrong one, and stderr says so.
      expect(await runner(db)('servers', 'list')).toEqual(ok('', backend === 'redis' ? EMPTY_REDIS_WARNING : ''))
    })

    it('a server another program inserted naming only id, url, secret, state and online', async ({ db, expect }) => {
      const legacy: Row = { id: ID1, url: 'https://legacy.example.com/bigbluebutton/api', secret: 'legacy-secret', state: 'enabled', online: true }
      await seed(db, legacy)
      const sa = runner(db)

      const results = await Promise.all([
        sa('servers', 'list', '--json'),
        // Written without the tool's URL key: the duplicate check must still see it.
        sa('servers', 'add', 'HTTPS://Legacy.Example.com/bigbluebutton/api/', 'other-secret'),
      ])

      const expected = seeded(legacy, { state: 'enabled' })
      expect(JSON.stringify(expected)).toContain('"tag":"","bbb_version":"","state":"enabled","load":"unavailable","load_multiplier":1,')
      expect(results).toEqual([ok(jsonLine([expected])), failed(4, exists('HTTPS://Legacy.Example.com/bigbluebutton/api/', ID1))])
      expect((await serverRows(db)).map((r) => r.id)).toEqual([ID1])
    })
  })

  describe.concurrent('<server>: id, hostname or unique id prefix', () => {
    const S1: Row = { id: ID1, url: 'https://bbb1.example.com/bigbluebutton/api', secret: 'secret-1', state: 'disabled', online: false }
    const S2: Row = { id: ID2, url: 'https://bbb2.example.com/bigbluebutton/api', secret: 'secret-2', state: 'disabled', online: false }
    const S3: Row = { id: ID3, url: 'https://Mixed.Example.com/bigbluebutton/api', secret: 'secret-3', state: 'disabled', online: false }

    it('resolves hostnames in any case and prefixes of 4 or more; refuses ambiguous and short prefixes', async ({ db, expect }) => {
      await seed(db, S1, S2, S3)
      const [s2, s3] = [S2, S3].map((s) => seeded(s))
      const sa = runner(db)

      const results = await Promise.all([
        sa('servers', 'show', 'BBB2.EXAMPLE.COM', '--json'),
        sa('servers', 'show', 'mixed.example.com', '--json'),
        sa('servers', 'show', 'ef01', '--json'),
        sa('servers', 'show', 'abcd5', '--json'),
        sa('servers', 'show', 'abcd'),
        sa('servers', 'show', 'ef0', '--json'),
        sa('servers', 'show', 'bbb9.example.com'),
      ])

      expect(results).toEqual([
        ok(jsonLine(s2)),
        ok(jsonLine(s3)),
        ok(jsonLine(s3)),
        ok(jsonLine(s2)),
        failed(2, `Server 'abcd' is ambiguous; it matches ${ID1} (bbb1.example.com), ${ID2} (bbb2.example.com)`),
        failedJson(3, notFound('ef0')),
        failed(3, notFound('bbb9.example.com')),
      ])
    })
  })

  describe.concurrent('servers add', () => {
    it('--enable adds the server enabled; a multiplier of 10 is "10.0"', async ({ db, expect }) => {
      const id = await add(db, 'https://bbb1.example.com/bigbluebutton/api', 'secret-1', ['--enable', '--load-multiplier', '10'], {
        state: 'enabled',
        load_multiplier: '10.0',
      })

      expect((await serverRows(db)).map((r) => [r.id, r.state, r.load, r.load_multiplier, r.online])).toEqual([[id, 'enabled', null, 10, false]])
    })

    it('SERVER_ID_IS_HOSTNAME=true: the id is the lower-cased host, and a second server on that host is a conflict', async ({ db, expect }) => {
      const sa = runner(db, { SERVER_ID_IS_HOSTNAME: 'true' })
      const url = 'https://TEST.example.CoM/bigbluebutton/api'

      expect(await sa('servers', 'add', url, 'secret-1', '--json')).toEqual(ok(jsonLine(serverObject({ id: 'test.example.com', url, secret: 'secret-1' }))))
      expect(await sa('servers', 'add', 'http://test.example.com:8080/other/api', 'secret-2')).toEqual(
        failed(4, "Server already exists with id 'test.example.com'"),
      )
      expect((await serverRows(db)).map((r) => [r.id, r.url])).toEqual([['test.example.com', url]])
    })

    it('the same URL with another scheme or host case, or a trailing slash, is a conflict', async ({ db, expect }) => {
      const url = 'https://bbb1.example.com/bigbluebutton/api'
      const id = await add(db, url, 'secret-1')
      const sa = runner(db)

      const results = await Promise.all([
        sa('servers', 'add', 'HTTPS://BBB1.Example.COM/bigbluebutton/api', 'secret-2'),
        sa('servers', 'add', 'https://bbb1.example.com/bigbluebutton/api/', 'secret-2', '--enable', '--json'),
      ])

      expect(results).toEqual([
        failed(4, exists('HTTPS://BBB1.Example.COM/bigbluebutton/api', id)),
        failedJson(4, exists('https://bbb1.example.com/bigbluebutton/api/', id)),
      ])
      expect((await serverRows(db)).map((r) => [r.id, r.secret, r.state])).toEqual([[id, 'secret-1', 'disabled']])

      // Only scheme and host are compared without case: another path is another server.
      await add(db, 'https://bbb1.example.com/BigBlueButton/api', 'secret-3')
      expect(await serverRows(db)).toHaveLength(2)
    })

    it('a URL that is not http:// or https:// with a host is refused and nothing is written', async ({ db, expect }) => {
      await seed(db)
      const sa = runner(db)
      const message = (url: string) => `Server URL must start with http:// or https:// and name a host: ${url}`

      const results = await Promise.all([
        sa('servers', 'add', 'ftp://bbb1.example.com/bigbluebutton/api', 'secret-1'),
        sa('servers', 'add', 'bbb1.example.com/bigbluebutton/api', 'secret-1', '--json'),
      ])

      expect(results).toEqual([failed(2, message('ftp://bbb1.example.com/bigbluebutton/api')), failedJson(2, message('bbb1.example.com/bigbluebutton/api'))])
      expect(await serverRows(db)).toEqual([])
    })

    it('a path that does not end in /api is added with a warning on stderr', async ({ db, expect }) => {
      await seed(db)
      const sa = runner(db)
      const url = 'https://bbb1.example.com/bigbluebutton'

      // The multiplier is one that String() would write as 1e+21.
      const [json, human] = await Promise.all([
        sa('servers', 'add', url, 'secret-1', '--load-multiplier', '1000000000000000000000', '--json'),
        sa('servers', 'add', 'http://bbb2.example.com', 'secret-2'),
      ])

      expect(json).toEqual(ok(jsonLine(serverObject({ id: idOf(json), url, secret: 'secret-1', load_multiplier: '1000000000000000000000.0' })), noApiWarning(url)))
      const id2 = (await serverRows(db)).find((r) => r.url === 'http://bbb2.example.com')?.id as string
      expect(human).toEqual(
        ok(
          record(serverObject({ id: id2, url: 'http://bbb2.example.com', secret: 'secret-2' })),
          'warning: the URL does not end in /api; BBB calls will go to http://bbb2.example.com/<call>\n',
        ),
      )
    })

    it('load multipliers 1.5abc, abc and -1 are refused and nothing is written', async ({ db, expect }) => {
      await seed(db)
      const url = 'https://bbb1.example.com/bigbluebutton/api'
      const addWith = (n: string, ...more: string[]) => runner(db)('servers', 'add', url, 'secret-1', '--load-multiplier', n, ...more)

      const results = await Promise.all([addWith('1.5abc'), addWith('abc', '--json'), addWith('-1')])

      expect(results).toEqual([failed(2, NON_ZERO), failedJson(2, NON_ZERO), failed(2, NEGATIVE)])
      expect(await serverRows(db)).toEqual([])
    })
  })

  describe.concurrent('servers update', () => {
    const url = 'https://bbb1.example.com/bigbluebutton/api'
    const server: Row = { id: ID1, url, secret: 'secret-1', state: 'cordoned', online: true }
    const setUp = async (db: TestDb) => {
      await seed(db, server)
      await db.setServer(ID1, { tag: 'keep', load: 2, load_multiplier: 1.5 })
      return serverRows(db)
    }

    it('changes only what is given', async ({ db, expect }) => {
      const [before] = await setUp(db)

      expect(await runner(db)('servers', 'update', 'bbb1.example.com', '--secret', 'a-new-secret', '--json')).toEqual(
        ok(jsonLine(seeded(server, { secret: 'a-new-secret', tag: 'keep', state: 'cordoned', load: 2, load_multiplier: '1.5' }))),
      )
      expect(await serverRows(db)).toEqual([{ ...before, secret: 'a-new-secret', updated_at: expect.any(String) }])
    })

    it('no flags, or only an empty --secret and --load-multiplier, change nothing', async ({ db, expect }) => {
      const before = await setUp(db)
      const sa = runner(db)
      const same = ok(jsonLine(seeded(server, { tag: 'keep', state: 'cordoned', load: 2, load_multiplier: '1.5' })))

      const results = await Promise.all([sa('servers', 'update', ID1, '--json'), sa('servers', 'update', ID1, '--secret', '', '--load-multiplier', '', '--json')])

      expect(results).toEqual([same, same])
      // Not even updated_at moved.
      expect(await serverRows(db)).toEqual(before)
    })

    it('an invalid value refuses the whole update', async ({ db, expect }) => {
      const before = await setUp(db)
      const sa = runner(db)

      const results = await Promise.all([
        sa('servers', 'update', ID1, '--secret', 'changed', '--load-multiplier', 'abc'),
        sa('servers', 'update', ID1, '--tag', 'changed', '--load-multiplier', '-2', '--json'),
      ])

      expect(results).toEqual([failed(2, NON_ZERO), failedJson(2, NEGATIVE)])
      expect(await serverRows(db)).toEqual(before)
    })

    it('an unknown server is not found', async ({ db, expect }) => {
      const before = await setUp(db)

      expect(await runner(db)('servers', 'update', 'nonexistent-id', '--secret', 'x', '--json')).toEqual(failedJson(3, notFound('nonexistent-id')))
      expect(await serverRows(db)).toEqual(before)
    })
  })

  describe.concurrent('servers enable, cordon and disable', () => {
    const url = 'https://bbb1.example.com/bigbluebutton/api'
    const server: Row = { id: ID1, url, secret: 'secret-1', state: 'disabled', online: false }

    it('each sets its state; repeating it is a no-op that exits 0', async ({ db, expect }) => {
      await seed(db, server)
      const sa = runner(db)

      for (const [verb, state] of [
        ['enable', 'enabled'],
        ['cordon', 'cordoned'],
        ['disable', 'disabled'],
      ] as const) {
        const shown = ok(jsonLine(seeded(server, { state })))
        expect(await sa('servers', verb, 'bbb1.example.com', '--json')).toEqual(shown)
        const after = await serverRows(db)
        expect(after.map((r) => r.state)).toEqual([state])

        expect(await sa('servers', verb, 'abcd12', '--json')).toEqual(shown)
        // Not even updated_at moved.
        expect(await serverRows(db)).toEqual(after)
      }
    })

    it('cordon and enable keep the load (0 included); disable makes it unavailable until the next poll', async ({ db, expect }) => {
      const enabled = { ...server, state: 'enabled', online: true }
      await seed(db, enabled)
      const sa = runner(db)
      const shown = (state: ServerObject['state'], load: ServerObject['load']) => ok(jsonLine(seeded(enabled, { state, load })))

      await db.setServer(ID1, { load: 21.5 })
      expect(await sa('servers', 'cordon', ID1, '--json')).toEqual(shown('cordoned', 21.5))
      await db.setServer(ID1, { load: 0 })
      const zero = await sa('servers', 'enable', ID1, '--json')
      expect(zero).toEqual(shown('enabled', 0))
      expect(zero.stdout).toContain('"load":0,')
      expect(await sa('servers', 'disable', ID1, '--json')).toEqual(shown('disabled', 'unavailable'))
      expect((await serverRows(db)).map((r) => [r.state, r.load])).toEqual([['disabled', null]])
      expect(await sa('servers', 'enable', ID1, '--json')).toEqual(shown('enabled', 'unavailable'))
    })

    it('an unknown server is not found', async ({ db, expect }) => {
      await seed(db, server)

      expect(await runner(db)('servers', 'cordon', 'bbb2.example.com')).toEqual(failed(3, notFound('bbb2.example.com')))
    })
  })

  describe.concurrent('servers remove', () => {
    it('refuses while meetings point at the server; --force removes the server and its meetings', async ({ db, expect }) => {
      const A: Row = { id: ID1, url: 'https://bbb-a.example.com/bigbluebutton/api', secret: 'secret-a', state: 'enabled', online: true }
      const B: Row = { id: ID2, url: 'https://bbb-b.example.com/bigbluebutton/api', secret: 'secret-b', state: 'enabled', online: true }
      await seed(db, A, B)
      await insertMeeting(db, 'meeting-1', ID1, 'mp1')
      await insertMeeting(db, 'meeting-2', ID1, 'mp2')
      await insertMeeting(db, 'meeting-3', ID2, 'mp3')
      const servers = await serverRows(db)
      const sa = runner(db)

      const refused = await Promise.all([sa('servers', 'remove', 'bbb-a.example.com'), sa('servers', 'remove', ID2, '--json')])

      expect(refused).toEqual([
        failed(4, `Server id=${ID1} still has 2 meetings; end them with 'servers panic ${ID1}' or pass --force`),
        failedJson(4, `Server id=${ID2} still has 1 meeting; end them with 'servers panic ${ID2}' or pass --force`),
      ])
      expect(await serverRows(db)).toEqual(servers)
      expect(await meetingRows(db)).toHaveLength(3)

      expect(await sa('servers', 'remove', ID1, '--force', '--json')).toEqual(ok(jsonLine({ success: `Server id=${ID1} was destroyed` })))
      expect((await serverRows(db)).map((r) => r.id)).toEqual([ID2])
      expect(await meetingRows(db)).toEqual([{ id: 'meeting-3', server_id: ID2 }])

      // Without meetings, and without a terminal, it goes ahead without asking.
      await db.deleteAllMeetings()
      expect(await sa('servers', 'remove', 'bbb-b.example.com')).toEqual(ok(`Server id=${ID2} was destroyed\n`))
      expect(await serverRows(db)).toEqual([])
    })
  })

  describe.concurrent('human output when piped', () => {
    it('tab-separated rows without a header, secrets masked unless --show-secrets, no colour', async ({ db, expect }) => {
      const long = 'abcdefghijklmnop' // 16: first and last 3 shown
      const twelve = 'ABCDEFGHIJKL' // 12: first and last 3 shown
      const eleven = 'elevenchars' // 11: nothing shown
      const X: Row = { id: ID1, url: 'https://x.example.com/bigbluebutton/api', secret: long, state: 'enabled', online: true }
      const Y: Row = { id: ID2, url: 'https://y.example.com/bigbluebutton/api', secret: twelve, state: 'disabled', online: false }
      const Z: Row = { id: ID3, url: 'https://z.example.com/bigbluebutton/api', secret: eleven, state: 'disabled', online: false }
      // Inserted in another order than the hostnames'.
      await seed(db, Z, X, Y)
      await db.setServer(ID1, { tag: 'big', load: 3.5 })
      await db.setServer(ID2, { load_multiplier: 2.5 })
      // FORCE_COLOR tries to provoke colour; a pipe must never get it.
      const sa = runner(db, { FORCE_COLOR: '3' })

      const rows = (secrets: [string, string, string]) =>
        `${ID1}\thttps://x.example.com/bigbluebutton/api\t${secrets[0]}\tbig\t\tenabled\t3.5\t1.0\tonline\n` +
        `${ID2}\thttps://y.example.com/bigbluebutton/api\t${secrets[1]}\t\t\tdisabled\tunavailable\t2.5\toffline\n` +
        `${ID3}\thttps://z.example.com/bigbluebutton/api\t${secrets[2]}\t\t\tdisabled\tunavailable\t1.0\toffline\n`
      const y = seeded(Y, { load_multiplier: '2.5' })

      const results = await Promise.all([
        sa('servers', 'list'),
        sa('servers', 'list', '--show-secrets'),
        sa('servers', 'show', 'y.example.com'),
        sa('servers', 'show', 'y.example.com', '--show-secrets'),
      ])

      expect(results).toEqual([ok(rows(['abc****nop', 'ABC****JKL', '****'])), ok(rows([long, twelve, eleven])), ok(record(y, 'ABC****JKL')), ok(record(y, twelve))])
      for (const r of results) expect(r.stdout + r.stderr).not.toMatch(/\x1b/)
    })
  })

  describe('concurrent commands', () => {
    it('20 concurrent adds of the same URL: one succeeds, 19 are conflicts', async ({ db, expect }) => {
      await seed(db)
      const url = 'https://same.example.com/bigbluebutton/api'

      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cli(['servers', 'add', url, `secret-${i}`], { db: db.url })))

      const rows = await serverRows(db)
      expect(rows.map((r) => r.url)).toEqual([url])
      const winner = rows[0] as (typeof rows)[number]
      expect(results.filter((r) => r.code === 0)).toEqual([ok(record(serverObject({ id: winner.id, url, secret: winner.secret })))])
      expect(results.filter((r) => r.code !== 0)).toEqual(Array.from({ length: 19 }, () => failed(4, exists(url, winner.id))))
    }, CONCURRENT_TIMEOUT)
  })
})

describe('servers add on one SQLite file', () => {
  const it = withDb('sqlite')

  it('20 concurrent adds of different URLs, starting on a new file, all succeed', async ({ db, expect }) => {
    const urls = Array.from({ length: 20 }, (_, i) => `https://bbb${i}.example.com/bigbluebutton/api`)

    const results = await Promise.all(urls.map((url, i) => cli(['servers', 'add', url, `secret-${i}`, '--json'], { db: db.url })))

    expect(results).toEqual(results.map((r, i) => ok(jsonLine(serverObject({ id: idOf(r), url: urls[i] as string, secret: `secret-${i}` })))))
    const rows = await serverRows(db)
    expect(rows.map((r) => r.url).sort()).toEqual([...urls].sort())
    expect(new Set(rows.map((r) => r.id)).size).toBe(20)
  }, CONCURRENT_TIMEOUT)
})
