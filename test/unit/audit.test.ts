// The audit trail's logic in-process: which fields a row records, how secrets are kept out, how the
// command line is masked, which rows concern a server or a tenant, and what --since accepts.
import { Command } from 'commander'
import { describe, expect, test } from 'vitest'
import { maskedCommandLine } from '../../src/commands/context.ts'
import { changed, manyChanged, orderedFields, serverFields, tenantFields } from '../../src/db/audit.ts'
import type { AuditEvent } from '../../src/db/store.ts'
import { auditSchema, recordedIds, rowsOfServer, rowsOfTenants, tenantIdsNamed } from '../../src/schemas/audit.ts'

const server = { url: 'https://bbb1.test/bigbluebutton/api', secret: 'old-secret-123', tag: null, state: 'enabled', loadMultiplier: 1 }

describe('changed', () => {
  test('an update records the differing fields only, secrets redacted', () => {
    const before = serverFields(server)
    const after = serverFields({ ...server, secret: 'new-secret-456', tag: 'blue', loadMultiplier: 2.5 })
    expect(changed(before, after)).toEqual({
      before: { secret: '[redacted]', tag: null, load_multiplier: '1.0' },
      after: { secret: '[redacted]', tag: 'blue', load_multiplier: '2.5' },
    })
  })

  test('nothing changed: no row', () => {
    expect(changed(serverFields(server), serverFields({ ...server }))).toBeNull()
    expect(changed(serverFields(server), serverFields(server), { before: { meetings: 0 }, after: { meetings: 0 } })).toBeNull()
    expect(changed(null, null)).toBeNull()
  })

  test("a note adds its fields, and makes a row on its own when they differ", () => {
    expect(changed(serverFields(server), serverFields(server), { before: { meetings: 4 }, after: { meetings: 0 } })).toEqual({ before: { meetings: 4 }, after: { meetings: 0 } })
    expect(changed(serverFields(server), serverFields({ ...server, state: 'disabled' }), { before: { meetings: 2 }, after: { meetings: 0 } })).toEqual({
      before: { meetings: 2, state: 'enabled' },
      after: { meetings: 0, state: 'disabled' },
    })
  })

  test('a create records the fields that are set; a delete what it had', () => {
    const tenant = tenantFields({ name: 'acme', secrets: 'a:b', extra: { lrs_endpoint: 'https://lrs.test', lrs_password: 'pw-123' } })
    expect(changed(null, tenant)).toEqual({ before: null, after: { name: 'acme', secrets: '[redacted]', lrs_endpoint: 'https://lrs.test', lrs_password: '[redacted]' } })
    expect(changed(tenant, null)).toEqual({ before: { name: 'acme', secrets: '[redacted]', lrs_endpoint: 'https://lrs.test', lrs_password: '[redacted]' }, after: null })
  })

  test('many servers: one record per server that changed, null where one did not exist', () => {
    const a = serverFields(server)
    expect(
      manyChanged([
        { id: 'a', before: a, after: { ...a, state: 'cordoned' } },
        { id: 'b', before: a, after: a },
        { id: 'c', before: null, after: a },
        { id: 'd', before: a, after: null },
      ]),
    ).toEqual({
      before: { a: { state: 'enabled' }, c: null, d: { url: server.url, secret: '[redacted]', state: 'enabled', load_multiplier: '1.0' } },
      after: { a: { state: 'cordoned' }, c: { url: server.url, secret: '[redacted]', state: 'enabled', load_multiplier: '1.0' }, d: null },
    })
    expect(manyChanged([{ id: 'b', before: a, after: a }])).toBeNull()
  })

  test('stored fields come back in one order whatever order a backend kept', () => {
    expect(Object.keys(orderedFields({ meetings: 1, state: 'x', secret: 's', url: 'u', zeta: 1 }, false) ?? {})).toEqual(['url', 'secret', 'state', 'meetings', 'zeta'])
    expect(Object.keys(orderedFields({ b: { state: 'x', url: 'u' }, a: null }, true) ?? {})).toEqual(['a', 'b'])
    expect(Object.keys((orderedFields({ b: { state: 'x', url: 'u' } }, true)?.b as object) ?? {})).toEqual(['url', 'state'])
  })
})

describe('maskedCommandLine', () => {
  /** The command line as the audit row records it, after commander parsed it. */
  function masked(build: (c: Command) => Command, argv: string[]): string {
    let line = ''
    const program = new Command('scalelite-admin').option('--database-url <url>').exitOverride()
    const command = build(program.command('servers').command('add'))
    command.action(() => {
      line = maskedCommandLine(command, argv)
    })
    program.parse(argv, { from: 'user' })
    return line
  }
  const add = (c: Command) => c.argument('[url]').argument('[secret]').option('--secret <s>').option('--reason <text>').option('--kc-password <p>')

  test('a password inside a recorded URL is ****', () => {
    expect(serverFields({ ...server, url: 'https://ops:pa55@bbb1.test/bigbluebutton/api' }).url).toBe('https://ops:****@bbb1.test/bigbluebutton/api')
  })

  test('secret arguments and secret options are ****, whatever their form', () => {
    expect(masked(add, ['servers', 'add', 'https://b.test/api', 'hunter2-secret', '--reason', "it's new"])).toBe(
      "scalelite-admin servers add https://b.test/api **** --reason 'it'\\''s new'",
    )
    expect(masked(add, ['servers', 'add', '--secret=abc', '--kc-password', 'pw'])).toBe('scalelite-admin servers add --secret=**** --kc-password ****')
  })

  test('- (read from stdin) stays, and a database URL loses its password', () => {
    expect(masked(add, ['--database-url', 'postgresql://ops:db-pass@db/scalelite', 'servers', 'add', 'https://b.test/api', '-'])).toBe(
      'scalelite-admin --database-url postgresql://ops:****@db/scalelite servers add https://b.test/api -',
    )
  })
})

const event = (e: Partial<AuditEvent>): AuditEvent => ({
  id: 1,
  at: new Date(0),
  osUser: 'ops',
  host: 'lb',
  action: 'x',
  command: 'x',
  objectType: 'server',
  objectId: null,
  before: null,
  after: null,
  reason: null,
  ...e,
})

describe('which rows concern an object', () => {
  const rows = [
    event({ id: 1, objectId: 's1', after: { url: 'https://bbb1.test/api', state: 'disabled' } }),
    event({ id: 2, objectType: 'servers', before: { s1: { state: 'disabled' }, s2: { state: 'disabled' } }, after: { s1: { state: 'enabled' }, s2: { state: 'enabled' } } }),
    event({ id: 3, objectId: 's1', before: { url: 'https://BBB1.test/api' }, after: null }),
    event({ id: 4, objectId: 's2', before: { tag: null }, after: { tag: 'x' } }),
    event({ id: 5, objectType: 'tenant', objectId: 't1', before: null, after: { name: 'acme' } }),
    event({ id: 6, objectType: 'tenant_setting', objectId: 'ts1', before: null, after: { tenant_id: 't1', param: 'p' } }),
  ]

  test('a server by hostname reaches the rows of the ids its URL had, also without a URL in them', () => {
    expect(rowsOfServer(rows, new Set(['bbb1.test']), 'bbb1.test').map((e) => e.id)).toEqual([1, 2, 3])
    expect(rowsOfServer(rows, new Set(['s2']), 's2').map((e) => e.id)).toEqual([2, 4])
    expect(rowsOfServer(rows, new Set(['nowhere']), 'nowhere')).toEqual([])
  })

  test('a tenant by id with its settings; the ids a name was recorded under', () => {
    expect(rowsOfTenants(rows, new Set(['t1'])).map((e) => e.id)).toEqual([5, 6])
    expect([...tenantIdsNamed(rows, 'acme')]).toEqual(['t1'])
    expect([...tenantIdsNamed(rows, 'other')]).toEqual([])
    expect([...recordedIds(rows, 'server')].sort()).toEqual(['s1', 's2'])
  })
})

describe('--since', () => {
  const now = Date.parse('2026-12-04T12:00:00Z')
  const since = (raw: string) => auditSchema(now).safeParse({ since: raw })

  test('durations back from now and dates', () => {
    expect(since('90s').data?.since?.toISOString()).toBe('2026-12-04T11:58:30.000Z')
    expect(since('2h').data?.since?.toISOString()).toBe('2026-12-04T10:00:00.000Z')
    expect(since('7d').data?.since?.toISOString()).toBe('2026-11-27T12:00:00.000Z')
    expect(since('2026-12-01').data?.since?.toISOString()).toBe('2026-12-01T00:00:00.000Z')
    expect(since('2026-12-01T08:00:00Z').data?.since?.toISOString()).toBe('2026-12-01T08:00:00.000Z')
  })

  test('anything else is one message naming the value', () => {
    for (const raw of ['yesterday', '2h ago', '-1d', '2026-13-45', '', '99999999999d', '2026-02-30'])
      expect(since(raw).error?.issues.map((i) => i.message)).toEqual([
        `--since must be a duration such as 30m, 2h or 7d, or a date such as 2026-12-01, not '${raw}'`,
      ])
  })
})

describe('the Redis scripts', () => {
  test('every one starts by taking its audit key and actor off ARGV, as RedisStore.run passes them', async () => {
    const { SCRIPTS } = await import('../../src/db/redis-scripts.ts')
    for (const [name, script] of Object.entries(SCRIPTS))
      expect(script.lua.trimStart().startsWith('local AUDIT_KEY = table.remove(ARGV, 1)'), name).toBe(true)
  })
})
