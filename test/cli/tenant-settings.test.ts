// `tenants settings list|add|remove` and what `tenants delete` does to the settings, as a user and a
// script see them: the built binary, stdout, stderr and the exit code compared exactly, on SQLite,
// PostgreSQL and Redis. On Redis the keys are also read back with the test's own client, to prove they
// are exactly what Scalelite's TenantSetting writes: hash `tenant_setting:<id>` {param, value,
// override 'true'/'false', tenant_id}, and the id in set `tenant_settings:<tenant_id>`.
import { randomUUID } from 'node:crypto'
import { afterAll, describe } from 'vitest'
import { cli, type CliResult } from '../support/cli.ts'
import { BACKENDS, removeTempDirs, type TenantSettingRow, type TestDb, withDb } from '../support/db.ts'
import type { RedisTestDb } from '../support/redis-db.ts'

afterAll(removeTempDirs)

/** For tests that run several commands one after another: the machine may be busy. */
const SLOW = 120_000

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`
const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })
const failed = (code: number, message: string): CliResult => ({ stdout: '', stderr: `error: ${message}\n`, code })
const failedJson = (code: number, body: Record<string, string>): CliResult => ({ stdout: '', stderr: jsonLine(body), code })

const NEEDS = 'TenantSetting needs a tenant, a param and a value'
const tenantNotFound = (ref: string) => `Couldn't find Tenant with id=${ref}`
const settingNotFound = (id: string) => `Couldn't find TenantSetting with id=${id}`
const exists = (s: TenantSettingRow) => `TenantSetting already exists with tenant_id=${s.tenant_id}, param=${s.param}, override=${s.override} (id=${s.id})`

/** The JSON object of a setting, keys in our order. */
const body = (s: TenantSettingRow) => ({ id: s.id, tenant_id: s.tenant_id, param: s.param, value: s.value, override: s.override })

const run = (db: TestDb) => (...args: string[]) => cli(args, { db: db.url })

interface Tenant {
  id: string
  name: string
}

/** The schema, as the first command leaves it, and these tenants as another program writes them. */
async function seed(db: TestDb, ...names: string[]): Promise<Tenant[]> {
  await db.prepare()
  const tenants = names.map((name) => ({ id: randomUUID(), name }))
  for (const t of tenants) await db.insertTenant({ ...t, secrets: `${t.name}-secret` })
  return tenants
}

/** A setting as Scalelite's tenantSettings:add (or plain SQL) writes it. */
async function seedSetting(db: TestDb, tenant: Tenant, param: string, value: string, override: boolean): Promise<TenantSettingRow> {
  const row = { id: randomUUID(), tenant_id: tenant.id, param, value, override }
  await db.insertTenantSetting(row)
  return row
}

const byId = (rows: TenantSettingRow[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))

/** The setting a successful add printed as JSON. */
function added(result: CliResult): TenantSettingRow {
  try {
    return JSON.parse(result.stdout) as TenantSettingRow
  } catch {
    return { id: `<no JSON on stdout: ${JSON.stringify(result)}>`, tenant_id: '', param: '', value: '', override: false }
  }
}

/** On Redis: every key of the namespace that belongs to tenant settings, with its contents. */
async function settingKeys(db: TestDb): Promise<Record<string, unknown> | null> {
  if (db.backend !== 'redis') return null
  const { redis, seed: s } = db as RedisTestDb
  const keys = [...(await redis.keys(`${s.k.prefix}tenant_setting*`))].sort()
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key] = (await redis.type(key)) === 'set' ? (await redis.smembers(key)).sort() : await redis.hgetall(key)
  return out
}

/** The keys and contents Scalelite would hold for these settings (null off Redis). */
function scaleliteKeys(db: TestDb, settings: TenantSettingRow[]): Record<string, unknown> | null {
  if (db.backend !== 'redis') return null
  const p = (db as RedisTestDb).seed.k.prefix
  const out: Record<string, unknown> = {}
  for (const s of settings) {
    out[`${p}tenant_setting:${s.id}`] = { param: s.param, value: s.value, override: String(s.override), tenant_id: s.tenant_id }
    const set = `${p}tenant_settings:${s.tenant_id}`
    out[set] = [...((out[set] as string[] | undefined) ?? []), s.id].sort()
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)))
}

describe.each(BACKENDS)('tenant settings on %s', (backend) => {
  const it = withDb(backend)

  describe.concurrent('tenants settings add', () => {
    it('a default and an override of one param, by name and by id: the setting object, and what Scalelite stores', async ({ db, expect }) => {
      const [acme] = (await seed(db, 'acme')) as [Tenant]

      const [first, second] = await Promise.all([
        run(db)('tenants', 'settings', 'add', 'acme', 'record', 'false', '--json'),
        run(db)('tenants', 'settings', 'add', acme.id, 'record', 'true', '--override', '--json'),
      ])

      const [d, o] = [added(first), added(second)]
      expect(d.id).toMatch(UUID_V4)
      expect(o.id).toMatch(UUID_V4)
      expect(first).toEqual(ok(`{"id":"${d.id}","tenant_id":"${acme.id}","param":"record","value":"false","override":false}\n`))
      expect(second).toEqual(ok(`{"id":"${o.id}","tenant_id":"${acme.id}","param":"record","value":"true","override":true}\n`))
      const stored = [
        { id: d.id, tenant_id: acme.id, param: 'record', value: 'false', override: false },
        { id: o.id, tenant_id: acme.id, param: 'record', value: 'true', override: true },
      ]
      expect(await db.tenantSettingRows()).toEqual(byId(stored))
      expect(await settingKeys(db)).toEqual(scaleliteKeys(db, stored))
    })

    it('piped: the new setting as field<TAB>value lines', async ({ db, expect }) => {
      const [acme] = (await seed(db, 'acme')) as [Tenant]

      const result = await run(db)('tenants', 'settings', 'add', 'acme', 'meta_server-tag', 'big')

      const [row] = await db.tenantSettingRows()
      expect(row?.id).toMatch(UUID_V4)
      expect(result).toEqual(ok(`id\t${row?.id}\ntenant_id\t${acme.id}\nparam\tmeta_server-tag\nvalue\tbig\noverride\tfalse\n`))
    })

    it('a second setting with the same tenant, param and override is a conflict (exit 4); nothing is written', async ({ db, expect }) => {
      const [acme, other] = (await seed(db, 'acme', 'other')) as [Tenant, Tenant]
      const existing = await seedSetting(db, acme, 'record', 'false', false)
      const existingOverride = await seedSetting(db, acme, 'muteOnStart', 'true', true)

      const [asJson, human, override] = await Promise.all([
        run(db)('tenants', 'settings', 'add', 'acme', 'record', 'true', '--json'),
        run(db)('tenants', 'settings', 'add', acme.id, 'record', 'false'),
        run(db)('tenants', 'settings', 'add', 'acme', 'muteOnStart', 'false', '--override'),
      ])

      expect(asJson).toEqual(failedJson(4, { error: exists(existing) }))
      expect(human).toEqual(failed(4, exists(existing)))
      expect(override).toEqual(failed(4, exists(existingOverride)))
      expect(await db.tenantSettingRows()).toEqual(byId([existing, existingOverride]))
      expect(await settingKeys(db)).toEqual(scaleliteKeys(db, [existing, existingOverride]))

      // The same param as an override, or for another tenant, is another setting.
      const [asOverride, forOther] = await Promise.all([
        run(db)('tenants', 'settings', 'add', 'acme', 'record', 'true', '--override', '--json'),
        run(db)('tenants', 'settings', 'add', 'other', 'record', 'false', '--json'),
      ])
      expect(asOverride.code).toBe(0)
      expect(forOther.code).toBe(0)
      const all = [existing, existingOverride, added(asOverride), added(forOther)]
      expect(added(forOther).tenant_id).toBe(other.id)
      expect(await db.tenantSettingRows()).toEqual(byId(all))
      expect(await settingKeys(db)).toEqual(scaleliteKeys(db, all))
    }, SLOW)

    it('10 concurrent adds of one setting: exactly one succeeds, 9 are conflicts naming it', async ({ db, expect }) => {
      await seed(db, 'acme')

      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => run(db)('tenants', 'settings', 'add', 'acme', 'record', `v${i}`, '--json')))

      const winners = results.filter((r) => r.code === 0)
      expect(winners).toHaveLength(1)
      const winner = added(winners[0] as CliResult)
      expect(results.filter((r) => r.code !== 0)).toEqual(Array.from({ length: 9 }, () => failedJson(4, { error: exists(winner) })))
      expect(await db.tenantSettingRows()).toEqual([winner])
    }, SLOW)

    it('an unknown tenant is exit 3 and nothing is written', async ({ db, expect }) => {
      await seed(db, 'acme')

      const [asJson, human] = await Promise.all([
        run(db)('tenants', 'settings', 'add', 'nope', 'record', 'false', '--json'),
        run(db)('tenants', 'settings', 'add', 'nope', 'record', 'false', '--override'),
      ])

      expect(asJson).toEqual(failedJson(3, { error: tenantNotFound('nope') }))
      expect(human).toEqual(failed(3, tenantNotFound('nope')))
      expect(await db.tenantSettingRows()).toEqual([])
      expect(await settingKeys(db)).toEqual(scaleliteKeys(db, []))
    })

    it('an empty or missing tenant, param or value is a validation error (exit 2) and nothing is written', async ({ db, expect }) => {
      await seed(db, 'acme')

      const results = await Promise.all([
        run(db)('tenants', 'settings', 'add', 'acme', '', 'false', '--json'),
        run(db)('tenants', 'settings', 'add', 'acme', 'record', '', '--json'),
        run(db)('tenants', 'settings', 'add', 'acme', 'record', '  ', '--json'),
        run(db)('tenants', 'settings', 'add', '', 'record', 'false', '--json'),
        run(db)('tenants', 'settings', 'add', 'acme', 'record', '--json'),
      ])
      const human = await run(db)('tenants', 'settings', 'add', 'acme')

      for (const result of results) expect(result).toEqual(failedJson(2, { error: NEEDS }))
      expect(human).toEqual(failed(2, NEEDS))
      expect(await db.tenantSettingRows()).toEqual([])
      expect(await settingKeys(db)).toEqual(scaleliteKeys(db, []))
    })
  })

  describe.concurrent('tenants settings list', () => {
    it('all settings, sorted by tenant name, then param, then default before override; as JSON and as piped rows', async ({ db, expect }) => {
      const [beta, acme] = (await seed(db, 'beta', 'acme')) as [Tenant, Tenant]
      const s1 = await seedSetting(db, beta, 'record', 'true', true)
      const s2 = await seedSetting(db, acme, 'welcome', 'Hello', false)
      const s3 = await seedSetting(db, beta, 'record', 'false', false)
      const s4 = await seedSetting(db, acme, 'meta_server-tag', 'big', true)
      const s5 = await seedSetting(db, beta, 'allowStartStopRecording', 'false', false)

      const [asJson, piped, shown] = await Promise.all([
        run(db)('tenants', 'settings', 'list', '--json'),
        run(db)('tenants', 'settings', 'list'),
        run(db)('tenants', 'settings', 'list', '--show-secrets'),
      ])

      const sorted = [s4, s2, s5, s3, s1]
      expect(asJson).toEqual(ok(jsonLine(sorted.map(body))))
      const rows =
        `${s4.id}\tacme\tmeta_server-tag\tbig\ttrue\n${s2.id}\tacme\twelcome\tHello\tfalse\n` +
        `${s5.id}\tbeta\tallowStartStopRecording\tfalse\tfalse\n${s3.id}\tbeta\trecord\tfalse\tfalse\n${s1.id}\tbeta\trecord\ttrue\ttrue\n`
      expect(piped).toEqual(ok(rows))
      // Settings are no secrets: nothing is masked.
      expect(shown).toEqual(ok(rows))
    })

    it('one tenant, by name or by id; [] and no output when there are none; an unknown tenant is exit 3', async ({ db, expect }) => {
      const [acme, beta, empty] = (await seed(db, 'acme', 'beta', 'empty')) as [Tenant, Tenant, Tenant]
      const a = await seedSetting(db, acme, 'record', 'false', false)
      await seedSetting(db, beta, 'record', 'true', false)

      const [byName, byId, none, nonePiped, unknown, unknownHuman] = await Promise.all([
        run(db)('tenants', 'settings', 'list', 'acme', '--json'),
        run(db)('tenants', 'settings', 'list', acme.id),
        run(db)('tenants', 'settings', 'list', empty.name, '--json'),
        run(db)('tenants', 'settings', 'list', empty.id),
        run(db)('tenants', 'settings', 'list', 'nope', '--json'),
        run(db)('tenants', 'settings', 'list', 'nope'),
      ])

      expect(byName).toEqual(ok(jsonLine([body(a)])))
      expect(byId).toEqual(ok(`${a.id}\tacme\trecord\tfalse\tfalse\n`))
      expect(none).toEqual(ok('[]\n'))
      expect(nonePiped).toEqual(ok(''))
      expect(unknown).toEqual(failedJson(3, { error: tenantNotFound('nope') }))
      expect(unknownHuman).toEqual(failed(3, tenantNotFound('nope')))
    })

    it('no settings at all: [] with --json, nothing when piped', async ({ db, expect }) => {
      await seed(db, 'acme')
      const [asJson, piped] = await Promise.all([run(db)('tenants', 'settings', 'list', '--json'), run(db)('tenants', 'settings', 'list')])

      expect(asJson).toEqual(ok('[]\n'))
      expect(piped).toEqual(ok(''))
    })
  })

  describe.concurrent('tenants settings remove', () => {
    it('by id: {"success":"TenantSetting id=<id> was destroyed"}, the hash and its set entry are gone', async ({ db, expect }) => {
      const [acme] = (await seed(db, 'acme')) as [Tenant]
      const [a, b, c] = [await seedSetting(db, acme, 'record', 'false', false), await seedSetting(db, acme, 'record', 'true', true), await seedSetting(db, acme, 'x', 'y', false)]

      const [asJson, human] = await Promise.all([run(db)('tenants', 'settings', 'remove', a.id, '--json'), run(db)('tenants', 'settings', 'remove', b.id)])

      expect(asJson).toEqual(ok(`{"success":"TenantSetting id=${a.id} was destroyed"}\n`))
      expect(human).toEqual(ok(`TenantSetting id=${b.id} was destroyed\n`))
      expect(await db.tenantSettingRows()).toEqual([c])
      expect(await settingKeys(db)).toEqual(scaleliteKeys(db, [c]))
      // The same param can be added again.
      expect((await run(db)('tenants', 'settings', 'add', 'acme', 'record', 'true')).code).toBe(0)
    }, SLOW)

    it('an unknown id is exit 3 and nothing is removed', async ({ db, expect }) => {
      const [acme] = (await seed(db, 'acme')) as [Tenant]
      const a = await seedSetting(db, acme, 'record', 'false', false)

      const [asJson, human, byTenant] = await Promise.all([
        run(db)('tenants', 'settings', 'remove', 'nope', '--json'),
        run(db)('tenants', 'settings', 'remove', 'nope'),
        // A tenant's id is not a setting's id.
        run(db)('tenants', 'settings', 'remove', acme.id),
      ])

      expect(asJson).toEqual(failedJson(3, { error: settingNotFound('nope') }))
      expect(human).toEqual(failed(3, settingNotFound('nope')))
      expect(byTenant).toEqual(failed(3, settingNotFound(acme.id)))
      expect(await db.tenantSettingRows()).toEqual([a])
    })
  })

  it('tenants delete removes the tenant\'s settings with it, and no other tenant\'s', async ({ db, expect }) => {
    const [acme, beta] = (await seed(db, 'acme', 'beta')) as [Tenant, Tenant]
    await seedSetting(db, acme, 'record', 'false', false)
    await seedSetting(db, acme, 'record', 'true', true)
    const kept = await seedSetting(db, beta, 'record', 'false', false)

    expect(await run(db)('tenants', 'delete', 'acme', '--json')).toEqual(ok(`{"success":"Tenant id=${acme.id} was destroyed"}\n`))

    expect(await db.tenantSettingRows()).toEqual([kept])
    expect(await settingKeys(db)).toEqual(scaleliteKeys(db, [kept]))
    expect(await run(db)('tenants', 'settings', 'list', '--json')).toEqual(ok(jsonLine([body(kept)])))
  })
})
