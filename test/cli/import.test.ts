// `import <redis-url>`: a live Scalelite's servers and tenants, seeded in Redis as Scalelite writes
// them, copied into each SQL database with their ids, states, multipliers, tags and lrs_ fields; a
// second run changes nothing.
import { afterAll, describe, test } from 'vitest'
import { cli, json, type CliResult } from '../support/cli.ts'
import { freshDb, removeTempDirs, SQL_BACKENDS, type Backend, type TestDb } from '../support/db.ts'
import { redisDb, type RedisTestDb } from '../support/redis-db.ts'
import { A, B, C, EXPECTED, seedFleet, T1, T2 } from '../support/scalelite-seed.ts'
import { jsonLine } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })

/** The fleet as the SQL database shows it after an import: no poll figures yet (load, online, version). */
const imported = EXPECTED.map((line) => ({ ...JSON.parse(line), load: 'unavailable', online: 'offline', bbb_version: '' }))

const withDbs = (backend: Backend) =>
  test.extend<{ db: TestDb; redis: RedisTestDb }>({
    // The empty pattern is how vitest learns that this fixture needs no other.
    db: async ({}, use) => {
      const db = await freshDb(backend)
      await use(db)
      await db.drop()
    },
    redis: async ({}, use) => {
      const redis = await redisDb()
      await use(redis)
      await redis.drop()
    },
  })

describe.each(SQL_BACKENDS)('import into %s', (backend) => {
  const it = withDbs(backend)

  describe.concurrent('servers and tenants', () => {
    it('copies the servers and tenants with their ids; a second run changes nothing', async ({ db, redis, expect }) => {
      await seedFleet(redis)
      const run = (...args: string[]) => cli(args, { db: db.url })

      const first = await run('import', redis.url, '--json')

      expect(first).toEqual(
        ok(jsonLine({ servers: { added: [A, C, B], updated: [], unchanged: [] }, tenants: { added: [T1, T2], updated: [], unchanged: [] } })),
      )
      expect(json(await run('servers', 'list', '--json'))).toEqual(imported)
      expect(await run('tenants', 'show', 'tenant-two', '--json')).toEqual(
        ok(`{"new_record":false,"destroyed":false,"name":"tenant-two","secrets":"two-secret","lrs_endpoint":"https://lrs.example.com/xapi","id":"${T2}"}\n`),
      )
      expect(await db.tenantRows()).toEqual([
        { id: T1, name: 'tenant-one', secrets: 'one-secret-1:one-secret-2' },
        { id: T2, name: 'tenant-two', secrets: 'two-secret' },
      ])

      const before = await db.serverRows()
      expect(await run('import', redis.url)).toEqual(ok('servers: 0 added, 0 updated, 3 unchanged\ntenants: 0 added, 0 updated, 2 unchanged\n'))
      // Not even updated_at moved.
      expect(await db.serverRows()).toEqual(before)
    })

    it('brings changed servers and tenants up to date', async ({ db, redis, expect }) => {
      await seedFleet(redis)
      const run = (...args: string[]) => cli(args, { db: db.url })
      expect(await run('import', redis.url)).toMatchObject({ stderr: '', code: 0 })

      await redis.seed.setState(A, 'disabled')
      await redis.seed.setField(B, 'tag', '')
      await redis.seed.setField(B, 'load_multiplier', '3')
      await redis.seed.setTenantFields(T1, { secrets: 'rotated', kc_client_id: 'kc-client' })
      await redis.redis.hdel(redis.seed.k.tenant(T2), 'lrs_endpoint')

      expect(await run('import', redis.url, '--json')).toEqual(
        ok(jsonLine({ servers: { added: [], updated: [A, B], unchanged: [C] }, tenants: { added: [], updated: [T1, T2], unchanged: [] } })),
      )
      expect(json(await run('servers', 'list', '--json'))).toEqual([
        { ...imported[0], state: 'disabled' },
        { ...imported[1], tag: '', load_multiplier: '3.0' },
        imported[2],
      ])
      const tenants = await Promise.all([run('tenants', 'show', T1, '--json'), run('tenants', 'show', T2, '--json')])
      expect(tenants.map((t) => json(t))).toEqual([
        { new_record: false, destroyed: false, name: 'tenant-one', secrets: 'rotated', kc_client_id: 'kc-client', id: T1 },
        { new_record: false, destroyed: false, name: 'tenant-two', secrets: 'two-secret', id: T2 },
      ])
    })

    it('a URL or a tenant name taken by another id: named on stderr, exit 4, the rest imported', async ({ db, redis, expect }) => {
      await seedFleet(redis)
      const run = (...args: string[]) => cli(args, { db: db.url })
      const mine = json<{ id: string }>(await run('servers', 'add', 'https://bbb1.example.com/bigbluebutton/api/', 'my-secret', '--json')).id
      const tenant = json<{ tenant: { id: string } }>(await run('tenants', 'add', 'tenant-two', 'my-secret', '--json')).tenant.id

      expect(await run('import', redis.url, '--json')).toEqual({
        stdout: '',
        stderr:
          `warning: Server already exists with url=https://bbb1.example.com/bigbluebutton/api (id=${mine})\n` +
          `warning: Tenant already exists with name=tenant-two (id=${tenant})\n` +
          '{"error":"2 of the servers and tenants were not imported; the others were"}\n',
        code: 4,
      })
      expect((await db.serverRows()).map((r) => r.id).sort()).toEqual([B, C, mine].sort())
      expect((await db.tenantRows()).map((t) => t.id).sort()).toEqual([T1, tenant].sort())
    })

    it('from no namespace, with REDIS_NAMESPACE empty', async ({ db, expect }) => {
      const source = await redisDb('')
      try {
        await seedFleet(source)
        const result = await cli(['import', source.url, '--json'], { db: db.url, env: { REDIS_NAMESPACE: '' } })
        expect(json(result).servers.added).toEqual([A, C, B])
      } finally {
        await source.drop()
      }
    })

    it('refuses a Redis target and a source that is not Redis (exit 2)', async ({ db, redis, expect }) => {
      const [intoRedis, fromSql] = await Promise.all([cli(['import', redis.url], { db: redis.url }), cli(['import', db.url, '--json'], { db: db.url })])

      expect(intoRedis).toEqual({
        stdout: '',
        stderr: 'error: import copies into a SQL database: set DATABASE_URL or --database-url to file:PATH or postgresql://…, not a Redis URL\n',
        code: 2,
      })
      expect(fromSql).toEqual({
        stdout: '',
        stderr: `${JSON.stringify({ error: `import reads a Scalelite's Redis: give a redis://, rediss:// or unix:// URL, not '${db.url}'` })}\n`,
        code: 2,
      })
    })
  })
})
