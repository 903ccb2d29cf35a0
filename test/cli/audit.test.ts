// The audit trail as an operator reads it after an incident: every changing command appends exactly one
// row (none for a no-op, none when the command fails), with the right fields before and after, the
// command line with its secrets masked, and --reason; `audit` filters by server, tenant and time.
// On SQLite, PostgreSQL and Redis, through the built binary.
import { randomUUID } from 'node:crypto'
import { hostname, userInfo } from 'node:os'
import { afterAll, describe } from 'vitest'
import { cli, json, type CliResult } from '../support/cli.ts'
import { BACKENDS, removeTempDirs, SQL_BACKENDS, type TestDb, withDb } from '../support/db.ts'
import type { RedisTestDb } from '../support/redis-db.ts'

afterAll(removeTempDirs)

interface Row {
  id: number
  at: string
  os_user: string
  host: string
  action: string
  command: string
  object_type: string
  object_id: string | null
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  reason: string | null
}

const SECRET = 'first-secret-4711'
const NEW_SECRET = 'second-secret-0815'
const URL1 = 'https://bbb1.audit.test/bigbluebutton/api'

const run = (db: TestDb) => (...args: string[]) => cli(args, { db: db.url })
const events = async (db: TestDb, ...filters: string[]): Promise<Row[]> => json<Row[]>(await run(db)('audit', '--json', ...filters))

/** Runs changing commands one after another; each call expects exit 0 and returns the rows it appended. */
function trail(db: TestDb) {
  let seen = 0
  return async (...args: string[]): Promise<{ result: CliResult; rows: Row[] }> => {
    const result = await run(db)(...args)
    if (result.code !== 0) throw new Error(`${args.join(' ')} failed: ${JSON.stringify(result)}`)
    const rows = (await events(db)).slice(seen)
    seen += rows.length
    return { result, rows }
  }
}

/** Everything the store keeps of the audit trail, as raw text. */
async function rawAudit(db: TestDb): Promise<string> {
  if (db.backend === 'redis') return (await (db as RedisTestDb).redis.lrange(`${(db as RedisTestDb).namespace}:audit_events`, 0, -1)).join('\n')
  return JSON.stringify(await db.query('SELECT * FROM audit_events ORDER BY id'))
}

const by = { os_user: userInfo().username, host: hostname() }

describe.each(BACKENDS)('audit on %s', (backend) => {
  const it = withDb(backend)
  const stateBefore = (state: string) => (backend === 'redis' && state === 'disabled' ? null : state)

  // About 30 runs of the binary one after another.
  it('every changing command appends exactly one row with its changed fields; a no-op appends none', { timeout: 240_000 }, async ({ db, expect }) => {
    const appended = (_: TestDb, ...args: string[]) => next(...args)
    const next = trail(db)
    const add = await appended(db, 'servers', 'add', URL1, SECRET, '--tag', 'rack-1', '--reason', 'new rack in Berlin', '--json')
    const id = json<{ id: string }>(add.result).id
    expect(add.rows).toEqual([
      {
        id: 1,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        ...by,
        action: 'servers add',
        command: `scalelite-admin servers add ${URL1} **** --tag rack-1 --reason 'new rack in Berlin' --json`,
        object_type: 'server',
        object_id: id,
        before: null,
        after:
          backend === 'redis'
            ? { url: URL1, secret: '[redacted]', tag: 'rack-1', load_multiplier: '1.0' }
            : { url: URL1, secret: '[redacted]', tag: 'rack-1', state: 'disabled', load_multiplier: '1.0' },
        reason: 'new rack in Berlin',
      },
    ])
    expect(Date.now() - Date.parse(add.rows[0]?.at ?? '')).toBeLessThan(60_000)

    const update = await appended(db, 'servers', 'update', 'bbb1.audit.test', `--secret=${NEW_SECRET}`, '--load-multiplier', '2.5', '--tag', '')
    expect(update.rows).toMatchObject([
      {
        id: 2,
        action: 'servers update',
        command: `scalelite-admin servers update bbb1.audit.test --secret=**** --load-multiplier 2.5 --tag ''`,
        object_id: id,
        before: { secret: '[redacted]', tag: 'rack-1', load_multiplier: '1.0' },
        after: { secret: '[redacted]', tag: null, load_multiplier: '2.5' },
        reason: null,
      },
    ])

    expect((await appended(db, 'servers', 'enable', id)).rows).toMatchObject([{ id: 3, action: 'servers enable', before: { state: stateBefore('disabled') }, after: { state: 'enabled' } }])
    expect((await appended(db, 'servers', 'enable', id)).rows).toEqual([])
    expect((await appended(db, 'servers', 'update', id, '--load-multiplier', '2.5')).rows).toEqual([])

    // A change of many servers is one row, keyed by server id.
    const second = json<{ id: string }>((await appended(db, 'servers', 'add', 'https://bbb2.audit.test/bigbluebutton/api', 'other-secret-123', '--enable', '--json')).result).id
    const bulk = await appended(db, 'servers', 'cordon', '--all', '--reason', 'maintenance')
    expect(bulk.rows).toMatchObject([
      { id: 5, action: 'servers cordon', object_type: 'servers', object_id: null, before: { [id]: { state: 'enabled' }, [second]: { state: 'enabled' } }, after: { [id]: { state: 'cordoned' }, [second]: { state: 'cordoned' } }, reason: 'maintenance' },
    ])

    // Panic: the state and the meetings it ends, in one row.
    await db.insertMeetings(id, [['m1', 'pw1'], ['m2', 'pw2'], ['m3', null]])
    const panic = await appended(db, 'servers', 'panic', id, '--skip-end-calls')
    expect(panic.rows).toMatchObject([{ id: 6, action: 'servers panic', object_id: id, before: { state: 'cordoned', meetings: 3 }, after: { state: 'disabled', meetings: 0 } }])
    expect(await db.meetingIds()).toEqual([])

    await db.insertMeetings(second, [['m4', 'pw4']])
    const kept = await appended(db, 'servers', 'panic', second, '--skip-end-calls', '--keep-state')
    expect(kept.rows).toMatchObject([{ id: 7, action: 'servers panic', object_id: second, before: { meetings: 1 }, after: { meetings: 0 } }])
    expect((await appended(db, 'servers', 'panic', second, '--skip-end-calls', '--keep-state')).rows).toEqual([])

    await db.insertMeetings(second, [['m5', 'pw5'], ['m6', 'pw6']])
    const removed = await appended(db, 'servers', 'remove', second, '--force')
    expect(removed.rows).toMatchObject([
      {
        id: 8,
        action: 'servers remove',
        object_id: second,
        before: { url: 'https://bbb2.audit.test/bigbluebutton/api', secret: '[redacted]', state: 'cordoned', load_multiplier: '1.0', meetings: 2 },
        after: null,
      },
    ])

    const tenant = json<{ tenant: { id: string } }>((await appended(db, 'tenants', 'add', 'acme', `${SECRET}:${NEW_SECRET}`, '--json')).result).tenant.id
    expect((await events(db)).at(-1)).toMatchObject({ id: 9, action: 'tenants add', object_type: 'tenant', object_id: tenant, before: null, after: { name: 'acme', secrets: '[redacted]' } })
    expect((await appended(db, 'tenants', 'update', 'acme', '--name', 'acme-corp', '--secrets', NEW_SECRET)).rows).toMatchObject([
      { id: 10, command: 'scalelite-admin tenants update acme --name acme-corp --secrets ****', before: { name: 'acme', secrets: '[redacted]' }, after: { name: 'acme-corp', secrets: '[redacted]' } },
    ])
    expect((await appended(db, 'tenants', 'delete', 'acme-corp', '--reason', 'contract ended')).rows).toMatchObject([
      { id: 11, action: 'tenants delete', object_id: tenant, before: { name: 'acme-corp', secrets: '[redacted]' }, after: null, reason: 'contract ended' },
    ])

    // The secrets were stored where they belong, and never in the audit trail.
    const raw = await rawAudit(db)
    expect(raw).toContain('[redacted]')
    for (const secret of [SECRET, NEW_SECRET, 'other-secret-123']) expect(raw).not.toContain(secret)
  })

  it('a command that is refused or fails appends nothing', { timeout: 120_000 }, async ({ db, expect }) => {
    const id = json<{ id: string }>(await run(db)('servers', 'add', URL1, SECRET, '--json')).id
    await db.insertMeetings(id, [['m1', 'pw1']])
    const count = (await events(db)).length

    expect(await run(db)('servers', 'remove', id)).toMatchObject({ code: 4, stdout: '' })
    expect(await run(db)('servers', 'add', URL1, 'x-secret-12345')).toMatchObject({ code: 4, stdout: '' })
    expect(await run(db)('servers', 'update', id, '--load-multiplier', '0')).toMatchObject({ code: 2 })
    expect(await run(db)('tenants', 'update', 'nobody', '--name', 'x')).toMatchObject({ code: 3 })
    expect(await events(db)).toHaveLength(count)
  })

  it('audit --server finds a server by hostname after it is gone, --tenant by name, --since by time', { timeout: 180_000 }, async ({ db, expect }) => {
    const id = json<{ id: string }>(await run(db)('servers', 'add', URL1, SECRET, '--json')).id
    await run(db)('servers', 'add', 'https://bbb2.audit.test/bigbluebutton/api', 'other-secret-123')
    await run(db)('servers', 'enable', '--all')
    await run(db)('servers', 'remove', id)
    await run(db)('tenants', 'add', 'acme', SECRET)
    await run(db)('tenants', 'update', 'acme', '--name', 'acme-corp')

    const byHost = await events(db, '--server', 'bbb1.audit.test')
    expect(byHost.map((r) => r.action)).toEqual(['servers add', 'servers enable', 'servers remove'])
    expect(byHost.map((r) => r.id)).toEqual([1, 3, 4])
    expect((await events(db, '--server', id)).map((r) => r.id)).toEqual([1, 3, 4])
    expect((await events(db, '--tenant', 'acme-corp')).map((r) => r.action)).toEqual(['tenants add', 'tenants update'])
    expect((await events(db, '--tenant', 'acme')).map((r) => r.action)).toEqual(['tenants add', 'tenants update'])
    expect(await events(db, '--since', '2h')).toHaveLength(6)
    expect(await events(db, '--since', '2999-01-01')).toEqual([])

    expect(await run(db)('audit', '--since', 'yesterday')).toEqual({
      stdout: '',
      stderr: "error: --since must be a duration such as 30m, 2h or 7d, or a date such as 2026-12-01, not 'yesterday'\n",
      code: 2,
    })
  })

  it('human rows: tab-separated when piped, secrets never shown', async ({ db, expect }) => {
    const id = json<{ id: string }>(await run(db)('servers', 'add', URL1, SECRET, '--json', '--reason', 'rack 1')).id
    await run(db)('servers', 'update', id, '--secret', NEW_SECRET, '--tag', 'blue')
    const result = await run(db)('audit')
    const lines = result.stdout.replace(/\n$/, '').split('\n').map((line) => line.split('\t'))

    expect(result).toMatchObject({ stderr: '', code: 0 })
    expect(lines.map((cells) => cells.slice(2))).toEqual([
      [
        `${by.os_user}@${by.host}`,
        'servers add',
        `server ${id}`,
        backend === 'redis' ? `created (url=${URL1}, load_multiplier=1.0)` : `created (url=${URL1}, state=disabled, load_multiplier=1.0)`,
        'rack 1',
      ],
      [`${by.os_user}@${by.host}`, 'servers update', `server ${id}`, 'secret changed, tag: (none) → blue', ''],
    ])
    expect(lines.map((cells) => cells[0])).toEqual(['1', '2'])
    expect(lines[0]?.[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(result.stdout).not.toContain(SECRET)
    expect(result.stdout).not.toContain(NEW_SECRET)
  })
})

describe.each(SQL_BACKENDS)('audit rows on %s', (backend) => {
  const it = withDb(backend)

  it('are never updated or deleted: the database refuses both', async ({ db, expect }) => {
    await run(db)('tenants', 'add', 'acme', SECRET)
    await expect(db.query("UPDATE audit_events SET reason = 'edited'")).rejects.toThrow(/audit_events rows are never updated or deleted/)
    await expect(db.query('DELETE FROM audit_events')).rejects.toThrow(/audit_events rows are never updated or deleted/)
    expect(await events(db)).toMatchObject([{ id: 1, action: 'tenants add', reason: null }])
  })

  it('are written in the change\'s transaction: when the row cannot be written, nothing changes', async ({ db, expect }) => {
    await db.prepare()
    // Another program's trigger that refuses every audit row stands in for a failure half-way.
    if (backend === 'sqlite')
      await db.query("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'no audit today'); END")
    else {
      await db.query("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''no audit today''; END'")
      await db.query('CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()')
    }
    const server = { id: randomUUID(), url: URL1, secret: SECRET, state: 'enabled', online: true }
    await db.insertServer(server)

    for (const args of [
      ['servers', 'add', 'https://bbb9.audit.test/bigbluebutton/api', SECRET],
      ['servers', 'disable', server.id],
      ['servers', 'cordon', '--all'],
      ['servers', 'remove', server.id],
      ['tenants', 'add', 'acme', SECRET],
    ]) {
      const result = await run(db)(...args)
      expect(result.code, args.join(' ')).toBe(1)
      expect(result.stdout).toBe('')
      // One line; the driver's wording varies (Prisma reports SQLite's trigger abort as a foreign key).
      expect(result.stderr).toMatch(/^error: unexpected failure: [^\n]+\n$/)
    }
    expect((await db.serverRows()).map((r) => [r.id, r.state])).toEqual([[server.id, 'enabled']])
    expect(await db.tenantRows()).toEqual([])
  })
})

describe('audit rows on redis', () => {
  const it = withDb('redis')

  it('a key of another type where the audit list belongs refuses every change before it is made', async ({ db, expect }) => {
    const redis = db as RedisTestDb
    const server = { id: randomUUID(), url: URL1, secret: SECRET, state: 'enabled', online: true }
    await db.insertServer(server)
    await redis.redis.set(`${redis.namespace}:audit_events`, 'not a list')

    for (const args of [['servers', 'disable', server.id], ['servers', 'remove', server.id], ['tenants', 'add', 'acme', SECRET]]) {
      expect(await run(db)(...args)).toEqual({
        stdout: '',
        stderr: `error: the Redis key ${redis.namespace}:audit_events holds a string, not the audit list; nothing was changed\n`,
        code: 1,
      })
    }
    expect((await db.serverRows()).map((r) => [r.id, r.state])).toEqual([[server.id, 'enabled']])
    expect(await db.tenantRows()).toEqual([])
    await redis.redis.del(`${redis.namespace}:audit_events`)
  })
})

describe.each(BACKENDS)('audit, what a new user tried, on %s', (backend) => {
  const it = withDb(backend)

  it('URL passwords, escape sequences, a name used twice, unknown objects and odd --since values', { timeout: 180_000 }, async ({ db, expect }) => {
    const url = 'https://ops:URLPASSWORD1@bbb1.audit.test/bigbluebutton/api'
    const id = json<{ id: string }>(await run(db)('servers', 'add', url, SECRET, '--json')).id
    await run(db)('servers', 'update', id, '--tag', 'x', '--reason', 'line1\nline2\ttab \u001b[31mRED')
    const first = json<{ tenant: { id: string } }>(await run(db)('tenants', 'add', 'acme', SECRET, '--json')).tenant.id
    await run(db)('tenants', 'update', 'acme', '--name', 'acme-corp')
    await run(db)('tenants', 'delete', 'acme-corp')
    const second = json<{ tenant: { id: string } }>(await run(db)('tenants', 'add', 'acme', SECRET, '--json')).tenant.id

    // The URL's password is a secret: masked in the row, in the store and in the command line.
    const rows = await events(db)
    expect(rows[0]).toMatchObject({ command: `scalelite-admin servers add https://ops:****@bbb1.audit.test/bigbluebutton/api **** --json`, after: { url: 'https://ops:****@bbb1.audit.test/bigbluebutton/api' } })
    expect(await rawAudit(db)).not.toContain('URLPASSWORD1')

    // An escape sequence in a reason reaches no screen or pipe as such.
    const piped = await run(db)('audit', '--server', id)
    expect(piped.stdout.split('\n')[1]?.split('\t').at(-1)).toBe('line1 line2 tab ?[31mRED')

    // A tenant is one tenant: the current one by its name, a former one by the name it had.
    expect((await events(db, '--tenant', 'acme')).map((r) => [r.object_id, r.action])).toEqual([[second, 'tenants add']])
    expect((await events(db, '--tenant', 'acme-corp')).map((r) => [r.object_id, r.action])).toEqual([
      [first, 'tenants add'],
      [first, 'tenants update'],
      [first, 'tenants delete'],
    ])
    expect((await events(db, '--tenant', first)).map((r) => r.action)).toEqual(['tenants add', 'tenants update', 'tenants delete'])

    // A removed server by a prefix of its id; an object neither the database nor the trail knows is not found.
    // (Another server stays, so that Redis does not warn of an empty namespace.)
    await run(db)('servers', 'add', 'https://bbb2.audit.test/bigbluebutton/api', 'other-secret-123')
    await run(db)('servers', 'remove', id)
    expect((await events(db, '--server', id.slice(0, 6))).map((r) => r.action)).toEqual(['servers add', 'servers update', 'servers remove'])
    expect(await run(db)('audit', '--server', 'nosuch.audit.test')).toEqual({ stdout: '', stderr: "error: Couldn't find server with id=nosuch.audit.test\n", code: 3 })
    expect(await run(db)('audit', '--tenant', 'nobody', '--json')).toEqual({ stdout: '', stderr: `${JSON.stringify({ error: "Couldn't find Tenant with id=nobody" })}\n`, code: 3 })
    expect(await run(db)('audit', '--server', '')).toEqual({ stdout: '', stderr: 'error: --server needs a server: its id, hostname or id prefix\n', code: 2 })
    for (const since of ['99999999999d', '2026-02-30'])
      expect(await run(db)('audit', '--since', since)).toEqual({
        stdout: '',
        stderr: `error: --since must be a duration such as 30m, 2h or 7d, or a date such as 2026-12-01, not '${since}'\n`,
        code: 2,
      })
  })
})

describe('audit rows on redis, kept by hand', () => {
  const it = withDb('redis')

  it('ids keep ascending after someone trims the list; a key of another type is one line for audit too', async ({ db, expect }) => {
    const redis = db as RedisTestDb
    const key = `${redis.namespace}:audit_events`
    for (const name of ['t-a', 't-b', 't-c']) await run(db)('tenants', 'add', name, SECRET)
    await redis.redis.ltrim(key, -1, -1)
    await run(db)('tenants', 'add', 't-d', SECRET)
    expect((await events(db)).map((r) => r.id)).toEqual([3, 4])

    await redis.redis.del(key)
    await redis.redis.set(key, 'x')
    expect(await run(db)('audit')).toEqual({ stdout: '', stderr: `error: the Redis key ${key} holds a string, not the audit list\n`, code: 1 })
    await redis.redis.del(key)
  })
})

describe.each(BACKENDS)('audit of tenant settings and learning-record-store fields on %s', (backend) => {
  const it = withDb(backend)

  it('each writes one row; the lrs/kc passwords are redacted; a delete counts the settings it took', { timeout: 180_000 }, async ({ db, expect }) => {
    const next = trail(db)
    const tenant = json<{ tenant: { id: string } }>((await next('tenants', 'add', 'acme', SECRET, '--json')).result).tenant.id
    const update = await next('tenants', 'update', 'acme', '--lrs-endpoint', 'https://lrs.audit.test/xapi', '--lrs-password', 'LRS-PASSWORD-9', '--kc-client-secret=KC-SECRET-7')
    expect(update.rows).toMatchObject([
      {
        action: 'tenants update',
        command: 'scalelite-admin tenants update acme --lrs-endpoint https://lrs.audit.test/xapi --lrs-password **** --kc-client-secret=****',
        object_type: 'tenant',
        object_id: tenant,
      },
    ])
    expect([update.rows[0]?.before, update.rows[0]?.after]).toEqual([
      { lrs_endpoint: null, lrs_password: null, kc_client_secret: null },
      { lrs_endpoint: 'https://lrs.audit.test/xapi', lrs_password: '[redacted]', kc_client_secret: '[redacted]' },
    ])

    const added = await next('tenants', 'settings', 'add', 'acme', 'meta_server-tag', 'big', '--override', '--reason', 'big rooms', '--json')
    const setting = json<{ id: string }>(added.result).id
    expect(added.rows).toEqual([
      expect.objectContaining({
        action: 'tenants settings add',
        object_type: 'tenant_setting',
        object_id: setting,
        before: null,
        after: { tenant_id: tenant, param: 'meta_server-tag', value: 'big', override: true },
        reason: 'big rooms',
      }),
    ])
    await next('tenants', 'settings', 'add', 'acme', 'record', 'false')
    const removed = await next('tenants', 'settings', 'remove', setting)
    expect(removed.rows).toEqual([
      expect.objectContaining({ action: 'tenants settings remove', object_id: setting, before: { tenant_id: tenant, param: 'meta_server-tag', value: 'big', override: true }, after: null }),
    ])
    const deleted = await next('tenants', 'delete', 'acme')
    expect(deleted.rows).toEqual([expect.objectContaining({ action: 'tenants delete', object_id: tenant, before: expect.objectContaining({ name: 'acme', settings: 1 }), after: null })])

    expect((await events(db, '--tenant', tenant)).map((r) => r.action)).toEqual([
      'tenants add',
      'tenants update',
      'tenants settings add',
      'tenants settings add',
      'tenants settings remove',
      'tenants delete',
    ])
    const raw = await rawAudit(db)
    for (const secret of [SECRET, 'LRS-PASSWORD-9', 'KC-SECRET-7']) expect(raw).not.toContain(secret)
  })
})
