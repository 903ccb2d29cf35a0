// `doctor` end to end on every backend: a database where another program (or Scalelite itself) left
// each problem behind, seeded with plain SQL or Redis commands, gives each problem once with its fix,
// exit 1; a clean database, including one the CLI filled, gives none, exit 0; a database that cannot
// be reached gives one line and exit 2, never the password.
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { cli } from '../support/cli.ts'
import { BACKENDS, freshDb, removeTempDirs, type TestDb } from '../support/db.ts'
import { freePort } from '../support/ports.ts'
import { onTerminal, plain } from '../support/pty.ts'
import type { RedisTestDb } from '../support/redis-db.ts'
import { createSchema, EMPTY_REDIS_WARNING, jsonLine } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const sqlitePathOf = (db: TestDb) => db.url.slice('file:'.length)

/**
 * Rows the foreign keys would refuse, written as another program still can: on SQLite by a connection
 * with foreign keys off (SQLite's default outside this tool's own connections); on PostgreSQL with
 * `session_replication_role = replica`, which a superuser (the test cluster's user) or a replication
 * tool may set and which skips the foreign-key triggers; on Redis, where Scalelite keeps no such rule,
 * with the keys Scalelite writes.
 */
async function writeUnchecked(db: TestDb, rows: { meetings: [id: string, serverId: string][]; settings: [id: string, tenantId: string, param: string][] }): Promise<void> {
  if (db.backend === 'redis') {
    const { seed, redis } = db as RedisTestDb
    for (const [id, serverId] of rows.meetings) await seed.createMeeting({ id, serverId, moderatorPw: 'mp' })
    for (const [id, tenantId, param] of rows.settings)
      await redis.multi().hset(`scalelite:tenant_setting:${id}`, 'param', param, 'value', 'v', 'override', 'false', 'tenant_id', tenantId).sadd(`scalelite:tenant_settings:${tenantId}`, id).exec()
    return
  }
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`
  const statements = [
    ...rows.meetings.map(([id, serverId]) => `INSERT INTO meetings (id, server_id, moderator_pw) VALUES (${literal(id)}, ${literal(serverId)}, 'mp')`),
    ...rows.settings.map(([id, tenantId, param]) => `INSERT INTO tenant_settings (id, tenant_id, param, value) VALUES (${literal(id)}, ${literal(tenantId)}, ${literal(param)}, 'v')`),
  ]
  await db.prepare()
  if (db.backend === 'sqlite') {
    const sqlite = new Database(sqlitePathOf(db))
    try {
      sqlite.pragma('foreign_keys = OFF')
      for (const statement of statements) sqlite.exec(statement)
    } finally {
      sqlite.close()
    }
    return
  }
  // One simple-protocol query: the SET LOCAL holds for this transaction only.
  await db.query(`BEGIN; SET LOCAL session_replication_role = replica; ${statements.join('; ')}; COMMIT`)
}

/** A meeting row with no server_id (nullable in the contract: any program may write one). */
async function meetingWithoutServer(db: TestDb, id: string): Promise<void> {
  if (db.backend === 'redis') await (db as RedisTestDb).seed.createMeeting({ id, serverId: '', moderatorPw: 'mp' })
  else await db.query('INSERT INTO meetings (id, server_id, moderator_pw) VALUES ($1, NULL, $2)', id, 'mp')
}

/** A fleet with every problem doctor knows, and healthy objects beside them. */
async function seedProblems(db: TestDb): Promise<void> {
  const servers = [
    { id: 'srv-semi', url: 'https://bbb1.example.com/bigbluebutton/api', state: 'enabled', tag: 'big;small' },
    { id: 'srv-bang', url: 'https://bbb2.example.com/bigbluebutton/api', state: 'enabled', tag: 'gpu!' },
    { id: 'srv-dup', url: 'HTTPS://BBB1.example.com/bigbluebutton/api/', state: 'disabled' },
    { id: 'srv-nourl', url: 'bbb3.example.com', state: 'disabled' },
    { id: 'srv-path', url: 'https://bbb4.example.com/', state: 'cordoned' },
  ]
  for (const s of servers) {
    await db.insertServer({ id: s.id, url: s.url, secret: `secret-of-${s.id}`, state: s.state, online: true })
    if (s.tag) await db.setServer(s.id, { tag: s.tag })
  }
  await db.insertMeetings('srv-semi', [['meeting-ok', 'mp']])
  await meetingWithoutServer(db, 'meeting-none')
  await db.insertTenant({ id: 'tenant-1', name: 'Acme', secrets: 'first-secret::second-secret' })
  await db.insertTenant({ id: 'tenant-2', name: 'acme', secrets: 'third-secret' })
  await db.insertTenant({ id: 'tenant-3', name: 'initech', secrets: '' })
  await db.insertTenant({ id: 'tenant-4', name: 'globex', secrets: 'globex-secret' })
  await writeUnchecked(db, {
    meetings: [['meeting-gone', 'srv-removed']],
    settings: [
      ['setting-ok', 'tenant-4', 'meta_server-tag'],
      ['setting-gone', 'tenant-deleted', 'meta_server-tag'],
    ],
  })
}

/** The problems seedProblems leaves, as `--json` lists them; the fixes differ on Redis. */
function expectedProblems(backend: string) {
  const redis = backend === 'redis'
  const urlFix = (id: string, url: string) =>
    redis
      ? `scalelite-admin servers remove ${id}, then scalelite-admin servers add ${url} <secret> (a new id), or set its url with Scalelite's rake servers:sync`
      : `scalelite-admin servers export > fleet.yml, set url: ${url} for ${id} there, then scalelite-admin servers sync fleet.yml --mode keep`
  const meetingFix = (id: string) =>
    redis
      ? `it expires with its TTL; to remove it now: DEL scalelite:meeting:${id}, SREM scalelite:meetings ${id}, and HDEL its voice bridge from scalelite:voice_bridges`
      : `DELETE FROM meetings WHERE id = '${id}'`
  return [
    {
      check: 'orphan_meeting',
      object: 'meeting',
      id: 'meeting-gone',
      message: 'meeting meeting-gone points at server srv-removed, which does not exist: joins and a new create of this meeting id fail',
      fix: meetingFix('meeting-gone'),
    },
    {
      check: 'orphan_meeting',
      object: 'meeting',
      id: 'meeting-none',
      message: 'meeting meeting-none points at no server: joins and a new create of this meeting id fail',
      fix: meetingFix('meeting-none'),
    },
    {
      check: 'bad_server_url',
      object: 'server',
      id: 'srv-nourl',
      message: "server srv-nourl has the URL 'bbb3.example.com', which is not http:// or https:// with a host: no BBB call can reach it",
      fix: urlFix('srv-nourl', 'https://bbb3.example.com/bigbluebutton/api'),
    },
    {
      check: 'server_url_path',
      object: 'server',
      id: 'srv-path',
      message: 'server srv-path has the URL https://bbb4.example.com/, whose path does not end in /api: BBB calls made relative to it fail',
      fix: urlFix('srv-path', 'https://bbb4.example.com/bigbluebutton/api'),
    },
    {
      check: 'duplicate_server_url',
      object: 'server',
      id: 'srv-dup',
      message: 'server srv-dup (disabled) has the same URL as server srv-semi (enabled): HTTPS://BBB1.example.com/bigbluebutton/api/',
      fix: 'scalelite-admin servers remove srv-dup',
    },
    {
      check: 'no_untagged_server',
      object: 'servers',
      id: null,
      // srv-path is untagged and cordoned, but its URL is broken: not a server to enable.
      message:
        'all 2 enabled servers are tagged: creates without meta_server-tag fail (Scalelite issue #1143); untag one, or add an untagged server with scalelite-admin servers add <url> <secret> --enable',
      fix: "scalelite-admin servers update srv-bang --tag ''",
    },
    {
      check: 'unmatchable_tag',
      object: 'server',
      id: 'srv-bang',
      message: "server srv-bang has the tag 'gpu!', which no meta_server-tag can match (it contains ';' or ends in '!')",
      fix: 'scalelite-admin servers update srv-bang --tag gpu',
    },
    {
      check: 'unmatchable_tag',
      object: 'server',
      id: 'srv-semi',
      message: "server srv-semi has the tag 'big;small', which no meta_server-tag can match (it contains ';' or ends in '!')",
      fix: 'scalelite-admin servers update srv-semi --tag big-small',
    },
    {
      check: 'empty_tenant_secret',
      object: 'tenant',
      id: 'tenant-1',
      message: "tenant 'Acme' has an empty secret in its list of 3: anyone can compute its checksums",
      fix: 'scalelite-admin tenants update tenant-1 --secrets <secret[:secret…]> with no empty item',
    },
    {
      check: 'empty_tenant_secret',
      object: 'tenant',
      id: 'tenant-3',
      message: "tenant 'initech' has no secret: anyone can compute its checksums",
      fix: 'scalelite-admin tenants update tenant-3 --secrets <secret[:secret…]> with no empty item',
    },
    {
      check: 'duplicate_tenant_name',
      object: 'tenant',
      id: 'tenant-2',
      message: "tenant tenant-2 is named 'acme' and tenant tenant-1 'Acme': the same subdomain, as case does not count",
      fix: 'scalelite-admin tenants update tenant-2 --name <another-name>, or scalelite-admin tenants delete tenant-2 if it is a leftover',
    },
    {
      check: 'orphan_tenant_setting',
      object: 'tenant_setting',
      id: 'setting-gone',
      message: 'tenant setting setting-gone (meta_server-tag) belongs to tenant tenant-deleted, which does not exist',
      fix: 'scalelite-admin tenants settings remove setting-gone',
    },
  ]
}

const humanLines = (problems: { check: string; message: string; fix: string }[]) =>
  `${problems.map((p) => `${p.check}: ${p.message}. Fix: ${p.fix}\n`).join('')}${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`

describe.each(BACKENDS)('doctor on %s', (backend) => {
  let db: TestDb

  beforeEach(async () => {
    db = await freshDb(backend)
    await createSchema(db)
  })
  afterEach(async () => {
    await db.drop()
  })

  test('each problem left by another program is found once, with its fix; exit 1, the document on stdout', async () => {
    await seedProblems(db)

    const result = await cli(['doctor', '--json'], { db: db.url })

    expect(result).toEqual({ stdout: jsonLine({ healthy: false, problems: expectedProblems(backend) }), stderr: '', code: 1 })
    // No secret of a server or a tenant is shown.
    expect(result.stdout).not.toMatch(/secret-of-|first-secret|second-secret|third-secret|globex-secret/)
  })

  test('people get one line per problem and a summary line, exit 1, nothing on stderr', async () => {
    await seedProblems(db)

    const result = await cli(['doctor'], { db: db.url })

    expect(result).toEqual({ stdout: humanLines(expectedProblems(backend)), stderr: '', code: 1 })
    const lines = result.stdout.split('\n')
    expect(lines.at(-2)).toBe('12 problems found')
    expect(lines).toContain(
      "unmatchable_tag: server srv-semi has the tag 'big;small', which no meta_server-tag can match (it contains ';' or ends in '!'). Fix: scalelite-admin servers update srv-semi --tag big-small",
    )
  })

  test('a clean database, and one with healthy servers and tenants added by the CLI: no problems, exit 0', async () => {
    const empty = await cli(['doctor'], { db: db.url })
    expect(empty).toEqual({ stdout: 'No problems found\n', stderr: backend === 'redis' ? EMPTY_REDIS_WARNING : '', code: 0 })

    const added = await Promise.all([
      cli(['servers', 'add', 'https://bbb1.example.com/bigbluebutton/api', 'secret-1', '--enable'], { db: db.url }),
      cli(['servers', 'add', 'https://bbb2.example.com/bigbluebutton/api/', 'secret-2', '--tag', 'big', '--enable'], { db: db.url }),
      cli(['servers', 'add', 'http://bbb3.example.com/bigbluebutton/api', 'secret-3', '--tag', 'small'], { db: db.url }),
      cli(['tenants', 'add', 'acme', 'acme-1:acme-2'], { db: db.url }),
      cli(['tenants', 'add', 'globex', 'globex-1'], { db: db.url }),
    ])
    expect(added.map((r) => r.code)).toEqual([0, 0, 0, 0, 0])
    const [bbb1] = (await db.serverRows()).filter((s) => s.url.includes('bbb1'))
    await db.insertMeetings(bbb1!.id, [['meeting-1', 'mp'], ['meeting-2', null]])
    const [acme] = (await db.tenantRows()).filter((t) => t.name === 'acme')
    await writeUnchecked(db, { meetings: [], settings: [['setting-1', acme!.id, 'meta_server-tag']] })

    expect(await cli(['doctor'], { db: db.url })).toEqual({ stdout: 'No problems found\n', stderr: '', code: 0 })
    expect(await cli(['doctor', '--json'], { db: db.url })).toEqual({ stdout: jsonLine({ healthy: true, problems: [] }), stderr: '', code: 0 })
    expect(await cli(['--json', 'doctor'], { db: db.url })).toEqual({ stdout: jsonLine({ healthy: true, problems: [] }), stderr: '', code: 0 })
  })

  test('a usage error is exit 2, as every failure of doctor', async () => {
    expect(await cli(['doctor', '--fix'], { db: db.url })).toEqual({ stdout: '', stderr: "error: unknown option '--fix'\n", code: 2 })
  })
})

test('on Redis, where Scalelite allows them, exact duplicate tenant names are found too', async () => {
  const db = (await freshDb('redis')) as RedisTestDb
  try {
    await db.seed.addServer({ id: 'srv-1', url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's', state: 'enabled' })
    await db.seed.addTenant({ id: 'tenant-a', name: 'acme', secrets: 'a' })
    await db.seed.addTenant({ id: 'tenant-b', name: 'acme', secrets: 'b' })

    const result = await cli(['doctor'], { db: db.url })

    expect(result).toEqual({
      stdout:
        "duplicate_tenant_name: tenant tenant-b has the same name as tenant tenant-a: 'acme'. Fix: scalelite-admin tenants update tenant-b --name <another-name>, or scalelite-admin tenants delete tenant-b if it is a leftover\n" +
        '1 problem found\n',
      stderr: '',
      code: 1,
    })
  } finally {
    await db.drop()
  }
})

test('on a terminal the lines are coloured (check, fix, summary), the words the same; --no-color has none', async () => {
  const db = await freshDb('sqlite')
  try {
    await db.insertServer({ id: 'srv-1', url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's', state: 'enabled', online: true })
    await db.insertServer({ id: 'srv-2', url: 'https://bbb2.example.com/bigbluebutton/api', secret: 's', state: 'enabled', online: true })
    await db.setServer('srv-1', { tag: 'gpu!' })
    const line = "unmatchable_tag: server srv-1 has the tag 'gpu!', which no meta_server-tag can match (it contains ';' or ends in '!'). Fix: scalelite-admin servers update srv-1 --tag gpu"

    const coloured = await onTerminal(['doctor'], { db: db.url })
    expect(coloured.code).toBe(1)
    expect(coloured.screen).toContain('\x1b[33munmatchable_tag\x1b[39m')
    expect(coloured.screen).toContain('\x1b[31m1 problem found\x1b[39m')
    expect(plain(coloured.screen)).toBe(`${line}\n1 problem found\n`)

    const uncoloured = await onTerminal(['doctor', '--no-color'], { db: db.url })
    expect(uncoloured).toEqual({ screen: `${line}\n1 problem found\n`, code: 1, asked: false })

    await db.setServer('srv-1', { tag: 'gpu' })
    const clean = await onTerminal(['doctor'], { db: db.url })
    expect(clean).toEqual({ screen: '\x1b[32mNo problems found\x1b[39m\n', code: 0, asked: false })
  } finally {
    await db.drop()
  }
})

describe('a database that cannot be reached: one line, exit 2, never the password', () => {
  const PASSWORD = 'Doct0r-S3cret-Pw'

  test('PostgreSQL refused', async () => {
    const port = await freePort()
    expect(await cli(['doctor'], { db: `postgresql://admin:${PASSWORD}@127.0.0.1:${port}/scalelite` })).toEqual({
      stdout: '',
      stderr: `error: cannot connect to PostgreSQL at 127.0.0.1:${port}/scalelite: connection refused\n`,
      code: 2,
    })
    expect(await cli(['doctor', '--json'], { db: `postgresql://admin:${PASSWORD}@127.0.0.1:${port}/scalelite` })).toEqual({
      stdout: '',
      stderr: `{"error":"cannot connect to PostgreSQL at 127.0.0.1:${port}/scalelite: connection refused"}\n`,
      code: 2,
    })
  })

  test('Redis refused', async () => {
    const port = await freePort()
    expect(await cli(['doctor'], { db: `redis://:${PASSWORD}@127.0.0.1:${port}/3` })).toEqual({
      stdout: '',
      stderr: `error: cannot connect to Redis at 127.0.0.1:${port}/3: connection refused\n`,
      code: 2,
    })
  })

  test('SQLite in a folder that does not exist', async () => {
    expect(await cli(['doctor'], { db: 'file:/nonexistent-folder/scalelite.db' })).toEqual({
      stdout: '',
      stderr: 'error: cannot create the SQLite database /nonexistent-folder/scalelite.db: the folder /nonexistent-folder does not exist\n',
      code: 2,
    })
  })
})
