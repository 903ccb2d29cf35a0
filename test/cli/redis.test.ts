// The CLI on a live Scalelite's Redis: keys seeded one by one exactly as Scalelite writes them
// (test/support/scalelite-seed.ts), read back in the API's shapes, and our writes checked key by key
// against what Scalelite writes, under the namespace `scalelite` and under none. The rest of the CLI
// suite runs on Redis too (BACKENDS); this file is about what only Redis has.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, test } from 'vitest'
import { RedisStore } from '../../src/db/redis-store.ts'
import { cli, json, type CliResult } from '../support/cli.ts'
import { startBbb } from '../support/bbb-server.ts'
import { removeTempDirs, tempDir } from '../support/db.ts'
import { redisDb, type RedisTestDb } from '../support/redis-db.ts'
import { jsonLine } from '../support/server-fixtures.ts'
import { A, B, C, EXPECTED, seedFleet, T1, T2 } from '../support/scalelite-seed.ts'

afterAll(removeTempDirs)

const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })

const withRedis = (namespace: string) =>
  test.extend<{ db: RedisTestDb }>({
    // The empty pattern is how vitest learns that this fixture needs no other.
    db: async ({}, use) => {
      const db = await redisDb(namespace)
      await use(db)
      await db.drop()
    },
  })

describe.each([
  ['scalelite', 'scalelite:'],
  ['', ''],
])("namespace '%s'", (namespace, prefix) => {
  const it = withRedis(namespace)
  const env = { REDIS_NAMESPACE: namespace }
  const sa = (db: RedisTestDb, extra: Record<string, string> = {}) => (...args: string[]) => cli(args, { db: db.url, env: { ...env, ...extra } })

  describe.concurrent('reading what Scalelite wrote', () => {
    it('servers list and show print what getServers and getServerInfo would', async ({ db, expect }) => {
      await seedFleet(db)
      const run = sa(db)

      const [list, showA, showB, showC, byHost] = await Promise.all([
        run('servers', 'list', '--json'),
        run('servers', 'show', A, '--json'),
        run('servers', 'show', B, '--json'),
        run('servers', 'show', C, '--json'),
        run('servers', 'show', 'BBB2.Example.com', '--json'),
      ])

      expect(list).toEqual(ok(`[${EXPECTED.join(',')}]\n`))
      expect([showA, showB, showC, byHost]).toEqual([ok(`${EXPECTED[0]}\n`), ok(`${EXPECTED[1]}\n`), ok(`${EXPECTED[2]}\n`), ok(`${EXPECTED[1]}\n`)])
      expect(await db.redis.keys('*')).toContain(`${prefix}servers`)
    })

    it('skips ids without a hash; a stored state wins over stale keys; a legacy server outside server_enabled is disabled', async ({ db, expect }) => {
      const { seed } = db
      db.skipInvariants() // a stale score in server_load, as Scalelite's poller can leave one
      await seed.addServer({ id: 'stale', url: 'https://stale.example.com/bigbluebutton/api', secret: 'stale-secret', state: 'disabled' })
      await db.redis.zadd(seed.k.serverLoad, 5, 'stale')
      await seed.addLegacyServer({ id: 'legacy-off', url: 'https://legacy.example.com/bigbluebutton/api', secret: 'legacy-secret', enabled: false, online: true })
      await db.redis.sadd(seed.k.servers, 'ghost')
      // Only 'true' is online.
      await db.redis.hset(seed.k.server('legacy-off'), 'online', 'TRUE')

      const listed = json(await sa(db)('servers', 'list', '--json'))

      expect(listed).toEqual([
        { id: 'legacy-off', url: 'https://legacy.example.com/bigbluebutton/api', secret: 'legacy-secret', tag: '', bbb_version: '', state: 'disabled', load: 'unavailable', load_multiplier: 1, online: 'offline' },
        { id: 'stale', url: 'https://stale.example.com/bigbluebutton/api', secret: 'stale-secret', tag: '', bbb_version: '', state: 'disabled', load: 'unavailable', load_multiplier: 1, online: 'offline' },
      ])
      expect(await sa(db)('servers', 'show', 'ghost', '--json')).toEqual({ stdout: '', stderr: `{"error":"Couldn't find server with id=ghost"}\n`, code: 3 })
    })

    it('load_multiplier: stored text through Ruby to_d, printed in plain notation; absent is the number 1', async ({ db, expect }) => {
      const texts = ['2', '2.50', '0.15e1', '1.5abc', 'abc', '10', '-1.5', '.5']
      for (const [i, text] of texts.entries())
        await db.seed.addServer({ id: `m${i}`, url: `https://m${i}.example.com/bigbluebutton/api`, secret: 's', loadMultiplier: text })

      const listed = json<{ load_multiplier: string | number }[]>(await sa(db)('servers', 'list', '--json'))

      expect(listed.map((s) => s.load_multiplier)).toEqual(['2.0', '2.5', '1.5', '1.5', '0.0', '10.0', '-1.5', '0.5'])
    })

    it('tenants list and show, by id and by name', async ({ db, expect }) => {
      await seedFleet(db)
      const run = sa(db)

      const [list, byName, byId] = await Promise.all([run('tenants', 'list', '--json'), run('tenants', 'show', 'tenant-two', '--json'), run('tenants', 'show', T1, '--json')])

      expect(list).toEqual(ok(jsonLine([{ id: T1, name: 'tenant-one', secrets: 'one-secret-1:one-secret-2' }, { id: T2, name: 'tenant-two', secrets: 'two-secret' }])))
      expect(byName).toEqual(ok(`{"new_record":false,"destroyed":false,"name":"tenant-two","secrets":"two-secret","lrs_endpoint":"https://lrs.example.com/xapi","id":"${T2}"}\n`))
      expect(byId).toEqual(ok(`{"new_record":false,"destroyed":false,"name":"tenant-one","secrets":"one-secret-1:one-secret-2","id":"${T1}"}\n`))
    })

    it('keys of another namespace are not seen', async ({ db, expect }) => {
      const other = namespace === '' ? 'scalelite' : ''
      await db.redis.multi().hset(`${other ? `${other}:` : ''}server:x`, 'url', 'https://x.example.com/bigbluebutton/api', 'secret', 's').sadd(`${other ? `${other}:` : ''}servers`, 'x').exec()
      await db.seed.addServer({ id: 'mine', url: 'https://mine.example.com/bigbluebutton/api', secret: 's' })

      expect(json<{ id: string }[]>(await sa(db)('servers', 'list', '--json')).map((s) => s.id)).toEqual(['mine'])
    })
  })

  describe.concurrent('writing what Scalelite writes', () => {
    it('servers add: url, secret, online "false", the multiplier as text, no state field, no tag field; --enable adds state and server_enabled only', async ({ db, expect }) => {
      const run = sa(db)
      const plain = json<{ id: string }>(await run('servers', 'add', 'https://bbb1.example.com/bigbluebutton/api', 'secret-1', '--json'))
      const tagged = json<{ id: string }>(await run('servers', 'add', 'https://bbb2.example.com/bigbluebutton/api', 'secret-2', '--load-multiplier', '2.5', '--tag', 'big', '--enable', '--json'))

      expect(await db.redis.hgetall(`${prefix}server:${plain.id}`)).toEqual({ url: 'https://bbb1.example.com/bigbluebutton/api', secret: 'secret-1', online: 'false', load_multiplier: '1.0' })
      expect(await db.redis.hgetall(`${prefix}server:${tagged.id}`)).toEqual({
        url: 'https://bbb2.example.com/bigbluebutton/api',
        secret: 'secret-2',
        tag: 'big',
        online: 'false',
        load_multiplier: '2.5',
        state: 'enabled',
      })
      expect((await db.redis.smembers(`${prefix}servers`)).sort()).toEqual([plain.id, tagged.id].sort())
      expect(await db.redis.smembers(`${prefix}server_enabled`)).toEqual([tagged.id])
      // Allocatable only once the poller has written a load, as in Scalelite.
      expect(await db.redis.exists(`${prefix}server_load`, `${prefix}cordoned_server_load`)).toBe(0)
    })

    it('state changes move the score between the sorted sets; the tag is deleted, not emptied', async ({ db, expect }) => {
      await seedFleet(db)
      const run = sa(db)
      const scores = async () => ({
        enabled: (await db.redis.smembers(`${prefix}server_enabled`)).sort(),
        load: await db.redis.zrange(`${prefix}server_load`, 0, -1, 'WITHSCORES'),
        cordoned: await db.redis.zrange(`${prefix}cordoned_server_load`, 0, -1, 'WITHSCORES'),
      })

      expect(json(await run('servers', 'cordon', A, '--json'))).toMatchObject({ state: 'cordoned', load: 21 })
      expect(await scores()).toEqual({ enabled: [C], load: [C, '0'], cordoned: [B, '12.5', A, '21'] })
      await db.checkInvariants()

      expect(json(await run('servers', 'enable', B, '--json'))).toMatchObject({ state: 'enabled', load: 12.5 })
      expect(await scores()).toEqual({ enabled: [B, C].sort(), load: [C, '0', B, '12.5'], cordoned: [A, '21'] })
      await db.checkInvariants()

      // The legacy server gets its first state field.
      expect(json(await run('servers', 'disable', C, '--json'))).toMatchObject({ state: 'disabled', load: 'unavailable' })
      expect(await db.redis.hget(`${prefix}server:${C}`, 'state')).toBe('disabled')
      expect(await scores()).toEqual({ enabled: [B], load: [B, '12.5'], cordoned: [A, '21'] })
      await db.checkInvariants()

      // Repeating a state writes nothing.
      const before = await db.serverRows()
      expect(json(await run('servers', 'cordon', A, '--json'))).toMatchObject({ state: 'cordoned', load: 21 })
      expect(await db.serverRows()).toEqual(before)

      expect(json(await run('servers', 'update', B, '--tag', '', '--load-multiplier', '3', '--secret', 'new-secret', '--json'))).toMatchObject({
        tag: '',
        load_multiplier: '3.0',
        secret: 'new-secret',
      })
      const hash = await db.redis.hgetall(`${prefix}server:${B}`)
      expect(hash).not.toHaveProperty('tag')
      expect(hash).toMatchObject({ load_multiplier: '3.0', secret: 'new-secret', state: 'enabled' })
    })

    it('servers remove: refused while meetings point at the server; --force destroys them, their voice bridges and the counters', async ({ db, expect }) => {
      await seedFleet(db)
      const run = sa(db)

      expect(await run('servers', 'remove', A)).toEqual({
        stdout: '',
        stderr: `error: Server id=${A} still has 1 meeting; end them with 'servers panic ${A}' or pass --force\n`,
        code: 4,
      })
      expect(await db.redis.exists(`${prefix}server:${A}`, `${prefix}meeting:meeting-a`)).toBe(2)

      expect(await run('servers', 'remove', A, '--force', '--json')).toEqual(ok(jsonLine({ success: `Server id=${A} was destroyed` })))
      expect(await db.redis.exists(`${prefix}server:${A}`, `${prefix}meeting:meeting-a`, `${prefix}${A}`)).toBe(0)
      expect((await db.redis.smembers(`${prefix}servers`)).sort()).toEqual([B, C].sort())
      expect(await db.redis.zscore(`${prefix}server_load`, A)).toBeNull()
      expect(await db.redis.smembers(`${prefix}server_enabled`)).toEqual([C])
      expect(await db.redis.hgetall(`${prefix}voice_bridges`)).toEqual({ '70002': 'meeting-b' })
      expect((await db.redis.smembers(`${prefix}meetings`)).sort()).toEqual(['meeting-b', 'meeting-expired'])
      // The other server's meeting keeps its TTL.
      expect(await db.redis.ttl(`${prefix}meeting:meeting-b`)).toBeGreaterThan(86_000)
    })

    it('panic: the server disabled first, each meeting and its voice bridge destroyed only while they are still its own', async ({ db, expect }) => {
      await seedFleet(db)
      // meeting-b's voice bridge number was given to another meeting meanwhile.
      await db.redis.hset(`${prefix}voice_bridges`, '70002', 'meeting-new')

      expect(await sa(db)('servers', 'panic', B, '--skip-end-calls', '--json')).toEqual(
        ok(jsonLine({ success: `Server id=${B} has been disabled and the meetings have been destroyed` })),
      )
      expect(await db.redis.exists(`${prefix}meeting:meeting-b`)).toBe(0)
      expect(await db.redis.hgetall(`${prefix}voice_bridges`)).toEqual({ '70001': 'meeting-a', '70002': 'meeting-new' })
      expect(await db.redis.hget(`${prefix}server:${B}`, 'state')).toBe('disabled')
      expect(await db.redis.zscore(`${prefix}cordoned_server_load`, B)).toBeNull()
      expect(await db.meetingRows()).toEqual([
        { id: 'meeting-a', server_id: A },
        { id: 'meeting-expired', server_id: null },
      ])
    })

    it('tenants: add, a rename that keeps another tenant\'s name index, delete', async ({ db, expect }) => {
      await seedFleet(db)
      // Scalelite allowed a second tenant named tenant-one; its index points at the newer one.
      const T3 = '33333333-3333-4333-8333-333333333333'
      await db.seed.addTenant({ id: T3, name: 'tenant-one', secrets: 'three-secret' })
      const run = sa(db)

      const added = json<{ tenant: { id: string } }>(await run('tenants', 'add', 'tenant-four', 'four-secret', '--json')).tenant.id
      expect(await db.redis.hgetall(`${prefix}tenant:${added}`)).toEqual({ name: 'tenant-four', secrets: 'four-secret' })
      expect(await db.redis.hgetall(`${prefix}tenant_name:tenant-four`)).toEqual({ id: added })

      expect(json(await run('tenants', 'update', T1, '--name', 'tenant-renamed', '--json'))).toMatchObject({ tenant: { name: 'tenant-renamed', id: T1 } })
      expect(await db.redis.hgetall(`${prefix}tenant_name:tenant-one`)).toEqual({ id: T3 })
      expect(await db.redis.hgetall(`${prefix}tenant_name:tenant-renamed`)).toEqual({ id: T1 })

      expect(await run('tenants', 'update', T2, '--name', 'tenant-renamed')).toEqual({
        stdout: '',
        stderr: `error: Tenant already exists with name=tenant-renamed (id=${T1})\n`,
        code: 4,
      })
      expect(await run('tenants', 'delete', T1, '--json')).toEqual(ok(jsonLine({ success: `Tenant id=${T1} was destroyed` })))
      expect(await db.redis.exists(`${prefix}tenant:${T1}`, `${prefix}tenant_name:tenant-renamed`)).toBe(0)
      expect(await db.redis.hgetall(`${prefix}tenant_name:tenant-one`)).toEqual({ id: T3 })
      expect((await db.redis.smembers(`${prefix}tenants`)).sort()).toEqual([T2, T3, added].sort())
    })
  })

  describe('guards', () => {
    it('a hostname id that would collide with one of Scalelite\'s keys is refused, and nothing is written', async ({ db, expect }) => {
      const run = sa(db, { SERVER_ID_IS_HOSTNAME: 'true' })

      const results = await Promise.all([run('servers', 'add', 'https://servers/bigbluebutton/api', 's'), run('servers', 'add', 'https://meetings/bigbluebutton/api', 's', '--json')])

      expect(results).toEqual([
        { stdout: '', stderr: `error: Server id 'servers' would collide with Scalelite's own Redis key ${prefix}servers; use another host name\n`, code: 2 },
        { stdout: '', stderr: `{"error":"Server id 'meetings' would collide with Scalelite's own Redis key ${prefix}meetings; use another host name"}\n`, code: 2 },
      ])
      expect(await db.redis.dbsize()).toBe(0)
    })

    it('20 concurrent adds of one hostname id: one is stored, 19 are conflicts (exit 4)', async ({ db, expect }) => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sa(db, { SERVER_ID_IS_HOSTNAME: 'true' })('servers', 'add', `https://bbb.example.com/bbb${i}/api`, `secret-${i}`, '--json')),
      )

      expect(results.filter((r) => r.code === 0)).toHaveLength(1)
      expect(results.filter((r) => r.code !== 0)).toEqual(Array.from({ length: 19 }, () => ({ stdout: '', stderr: `{"error":"Server already exists with id 'bbb.example.com'"}\n`, code: 4 })))
      expect(await db.redis.smembers(`${prefix}servers`)).toEqual(['bbb.example.com'])
    })

    it('20 concurrent tenants add of one name: one is stored, 19 are conflicts (exit 4)', async ({ db, expect }) => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sa(db)('tenants', 'add', 'same-name', `secret-${i}`, '--json')))

      const winners = results.filter((r) => r.code === 0)
      expect(winners).toHaveLength(1)
      const id = json<{ tenant: { id: string } }>(winners[0] as CliResult).tenant.id
      expect(results.filter((r) => r.code !== 0)).toEqual(
        Array.from({ length: 19 }, () => ({ stdout: '', stderr: `{"error":"Tenant already exists with name=same-name (id=${id})"}\n`, code: 4 })),
      )
      expect(await db.redis.smembers(`${prefix}tenants`)).toEqual([id])
      expect(await db.redis.hgetall(`${prefix}tenant_name:same-name`)).toEqual({ id })
    })

    it('deleteMeetings destroys a meeting only while it belongs to the server (re-created elsewhere since the scan)', async ({ db, expect }) => {
      await seedFleet(db)
      const store = new RedisStore(db.redis.duplicate(), namespace)
      try {
        const meetings = await store.meetingsOf(B)
        expect(meetings).toEqual([{ id: 'meeting-b', moderatorPw: 'mp-b' }])
        // Between the scan and the destroy, the meeting id is created again on server A.
        await db.redis.hset(`${prefix}meeting:meeting-b`, 'server_id', A)

        expect(await store.deleteMeetings(B, ['meeting-b'])).toBe(0)
        expect(await db.redis.hgetall(`${prefix}meeting:meeting-b`)).toMatchObject({ server_id: A, voice_bridge: '70002' })
        expect(await db.redis.hget(`${prefix}voice_bridges`, '70002')).toBe('meeting-b')
        expect(await store.meetingsOf(A)).toEqual([
          { id: 'meeting-a', moderatorPw: 'mp-a' },
          { id: 'meeting-b', moderatorPw: 'mp-b' },
        ])
      } finally {
        await store.close()
      }
    })

    it('an empty namespace: servers list warns that Scalelite may use another', async ({ db, expect }) => {
      const where = namespace === '' ? 'without a namespace' : `in namespace '${namespace}'`
      expect(await sa(db)('servers', 'list', '--json')).toEqual(
        ok('[]\n', `warning: this Redis has no Scalelite servers ${where} (no key ${prefix}servers); if Scalelite uses another, set REDIS_NAMESPACE\n`),
      )
    })
  })
})

describe.concurrent('the fleet commands on Redis', () => {
  const it = withRedis('scalelite')
  const sa = (db: RedisTestDb) => (...args: string[]) => cli(args, { db: db.url })

  it('a bulk state change moves every selected server in one step, keeping Scalelite\'s invariants', async ({ db, expect }) => {
    await seedFleet(db)

    const cordoned = await sa(db)('servers', 'cordon', '--all', '--json')

    expect(cordoned.code).toBe(0)
    expect(json<{ id: string; state: string; load: number | string }[]>(cordoned).map((s) => [s.id, s.state, s.load])).toEqual([
      [A, 'cordoned', 21],
      [B, 'cordoned', 12.5],
      [C, 'cordoned', 0],
    ])
    expect(await db.redis.exists('scalelite:server_load', 'scalelite:server_enabled')).toBe(0)
    expect(await db.redis.zrange('scalelite:cordoned_server_load', 0, -1, 'WITHSCORES')).toEqual([C, '0', B, '12.5', A, '21'])
    await db.checkInvariants()
  })

  it('servers status reads the figures Scalelite\'s poller stored', async ({ db, expect }) => {
    await seedFleet(db)

    const status = json<{ servers: Record<string, unknown>[] }>(await sa(db)('servers', 'status', '--json'))

    expect(status.servers[0]).toMatchObject({ id: A, hostname: 'bbb1.example.com', state: 'enabled', online: 'online', meetings: 1, users: 20, largest_meeting: 20, videos: 3, load: 21, bbb_version: '3.0.24' })
  })

  it('servers poll is refused before any BBB server is asked; servers sync that adds a server is refused and writes nothing', async ({ db, expect }) => {
    const bbb = await startBbb({ secret: 'poll-secret' })
    try {
      await db.seed.addServer({ id: 'local', url: bbb.url, secret: 'poll-secret', state: 'enabled' })
      const file = path.join(tempDir(), 'fleet.yml')
      writeFileSync(file, `servers:\n  local:\n    url: ${bbb.url}\n    secret: poll-secret\n  new.example.com:\n    secret: new-secret\n`)

      const [poll, sync] = await Promise.all([sa(db)('servers', 'poll'), sa(db)('servers', 'sync', file)])

      expect(poll).toEqual({ stdout: '', stderr: "error: servers poll is not available on a Redis store: Scalelite's own poller polls these servers\n", code: 2 })
      expect(bbb.requests).toEqual([])
      expect(sync).toEqual({
        stdout: '',
        stderr: "error: servers sync is not available on a Redis store when it adds, removes or re-addresses servers: use Scalelite's own servers:sync there\n",
        code: 2,
      })
      expect(await db.redis.smembers('scalelite:servers')).toEqual(['local'])
    } finally {
      await bbb.stop()
    }
  })
})
