// The Redis side of db.ts: a database index of its own on the run's redis-server for each test, its
// fixtures written key by key as Scalelite writes them (scalelite-seed.ts), and its rows read back
// as Scalelite reads them. drop() first checks Scalelite's invariants, so every test on Redis ends
// with proof that our writes kept them: server_load only holds enabled servers, cordoned_server_load
// only cordoned ones, and every member of server_enabled is enabled.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { inject } from 'vitest'
import { DEFAULT_NAMESPACE, type Keyspace } from '../../src/db/redis-keys.ts'
import { TENANT_EXTRA_FIELDS } from '../../src/db/store.ts'
import type { ServerRow, TenantRow, TenantSettingRow, TestDb } from './db.ts'
import { startRedisClient } from './redis-client.ts'
import { ScaleliteSeed } from './scalelite-seed.ts'

export interface RedisTestDb extends TestDb {
  backend: 'redis'
  redis: Redis
  seed: ScaleliteSeed
  namespace: string
  /** Throws when one of Scalelite's invariants does not hold. */
  checkInvariants(): Promise<void>
  /** Skip the invariant check at drop (for tests that break them on purpose, as Scalelite's poller can). */
  skipInvariants(): void
}

/** Server ids of a sorted-set reply WITH SCORES. */
const members = (flat: string[]) => flat.filter((_, i) => i % 2 === 0)

export async function redisDb(namespace = DEFAULT_NAMESPACE): Promise<RedisTestDb> {
  const socket = inject('redisSocket')
  const index = await nextDatabase(socket)
  const redis = await startRedisClient(socket, index)
  const seed = new ScaleliteSeed(redis, namespace)
  const k: Keyspace = seed.k
  let checkAtDrop = true

  const state = async (id: string): Promise<string | undefined> => {
    const [hash, enabled] = await Promise.all([redis.hgetall(k.server(id)), redis.sismember(k.serverEnabled, id)])
    if (Object.keys(hash).length === 0) return undefined
    return hash.state || (enabled ? 'enabled' : 'disabled')
  }

  const db: RedisTestDb = {
    backend: 'redis',
    url: `unix://${socket}?db=${index}`,
    redis,
    seed,
    namespace,
    async prepare() {},
    async insertServer(row) {
      await seed.addServer({ id: row.id, url: row.url, secret: row.secret, online: row.online })
      if (row.state === 'enabled' || row.state === 'cordoned' || row.state === 'disabled') await seed.setState(row.id, row.state)
    },
    async setServer(id, fields) {
      if (fields.tag !== undefined) await seed.setField(id, 'tag', fields.tag)
      if (fields.load_multiplier !== undefined) await seed.setField(id, 'load_multiplier', String(fields.load_multiplier))
      if (fields.bbb_version !== undefined) await seed.version(id, fields.bbb_version)
      if (fields.load !== undefined) await seed.poll(id, { load: fields.load })
    },
    async serverRows() {
      const ids = (await redis.smembers(k.servers)).sort()
      const rows: ServerRow[] = []
      for (const id of ids) {
        const [hash, enabled, load, cordoned] = await Promise.all([
          redis.hgetall(k.server(id)),
          redis.sismember(k.serverEnabled, id),
          redis.zscore(k.serverLoad, id),
          redis.zscore(k.cordonedLoad, id),
        ])
        if (Object.keys(hash).length === 0) continue
        const effective = hash.state || (enabled ? 'enabled' : 'disabled')
        const score = effective === 'cordoned' ? cordoned : effective === 'enabled' ? load : null
        const stored = JSON.stringify({ hash: Object.entries(hash).sort(), enabled, load, cordoned })
        rows.push({
          id,
          url: hash.url as string,
          secret: hash.secret as string,
          tag: hash.tag ?? null,
          state: effective,
          load: score === null ? null : Number(score),
          load_multiplier: hash.load_multiplier === undefined ? null : Number(hash.load_multiplier),
          online: hash.online === 'true',
          bbb_version: hash.bbb_version ?? null,
          updated_at: createHash('sha256').update(stored).digest('hex'),
        })
      }
      return rows
    },
    serverState: state,
    async insertMeetings(serverId, meetings) {
      for (const [id, moderatorPw] of meetings) await seed.createMeeting({ id, serverId, moderatorPw })
    },
    async meetingRows() {
      // The set's members and every meeting hash: a leftover of either shows.
      const ids = new Set([...(await redis.smembers(k.meetings)), ...(await redis.keys(`${k.meeting('*')}`)).map((key) => key.slice(k.meeting('').length))])
      const rows = []
      for (const id of [...ids].sort()) rows.push({ id, server_id: await redis.hget(k.meeting(id), 'server_id') })
      return rows
    },
    async meetingIds() {
      return (await db.meetingRows()).map((r) => r.id)
    },
    async deleteAllMeetings() {
      const ids = await db.meetingIds()
      const multi = redis.multi().del(k.meetings, k.voiceBridges)
      for (const id of ids) multi.del(k.meeting(id))
      await multi.exec()
    },
    async insertTenant(t) {
      await seed.addTenant(t)
    },
    async setTenant(id, fields) {
      await seed.setTenantFields(id, fields as Record<string, string>)
    },
    async tenantRows() {
      const rows: TenantRow[] = []
      for (const id of await redis.smembers(k.tenants)) {
        const hash = await redis.hgetall(k.tenant(id))
        if (Object.keys(hash).length > 0) rows.push({ id, name: hash.name as string, secrets: hash.secrets as string })
      }
      return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    },
    async tenantExtra(id) {
      const hash = await redis.hgetall(k.tenant(id))
      return Object.fromEntries(Object.entries(hash).filter(([field]) => (TENANT_EXTRA_FIELDS as readonly string[]).includes(field)))
    },
    async insertTenantSetting(r) {
      await seed.addTenantSetting({ id: r.id, tenantId: r.tenant_id, param: r.param, value: r.value, override: r.override })
    },
    async tenantSettingRows() {
      const rows: TenantSettingRow[] = []
      for (const key of (await redis.keys(k.tenantSetting('*'))).sort()) {
        const hash = await redis.hgetall(key)
        rows.push({ id: key.slice(k.tenantSetting('').length), tenant_id: hash.tenant_id as string, param: hash.param as string, value: hash.value as string, override: hash.override === 'true' })
      }
      return rows
    },
    query() {
      throw new Error('plain SQL on a Redis test database: use the fixture helpers of test/support/db.ts')
    },
    async checkInvariants() {
      const [servers, enabled, load, cordoned] = await Promise.all([
        redis.smembers(k.servers),
        redis.smembers(k.serverEnabled),
        redis.zrange(k.serverLoad, 0, -1, 'WITHSCORES'),
        redis.zrange(k.cordonedLoad, 0, -1, 'WITHSCORES'),
      ])
      const broken: string[] = []
      for (const id of members(load)) {
        if (!servers.includes(id)) broken.push(`server_load holds ${id}, which is not in servers`)
        else if ((await state(id)) !== 'enabled') broken.push(`server_load holds ${id}, which is ${await state(id)}`)
        if (!enabled.includes(id)) broken.push(`server_load holds ${id}, which is not in server_enabled`)
      }
      for (const id of members(cordoned)) if ((await state(id)) !== 'cordoned') broken.push(`cordoned_server_load holds ${id}, which is ${await state(id)}`)
      for (const id of enabled) if ((await state(id)) !== 'enabled') broken.push(`server_enabled holds ${id}, which is ${await state(id)}`)
      if (broken.length > 0) throw new Error(`Scalelite's invariants do not hold:\n${broken.join('\n')}`)
    },
    skipInvariants() {
      checkAtDrop = false
    },
    async drop() {
      try {
        if (checkAtDrop) await db.checkInvariants()
      } finally {
        await redis.flushdb()
        redis.disconnect()
      }
    },
  }
  return db
}

/** A database index no other test has: a counter kept in database 0 of the run's server. */
async function nextDatabase(socket: string): Promise<number> {
  const redis = await startRedisClient(socket, 0)
  try {
    const index = await redis.incr('sa-test:next-database')
    if (index >= 8192) throw new Error('the test redis-server has no database index left (databases 8192)')
    return index
  } finally {
    redis.disconnect()
  }
}
