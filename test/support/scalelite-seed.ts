// Keys written exactly as Scalelite v1.8.5 writes them (read from its models and tasks; see
// ../shared/reference/scalelite-behaviour.md §6 and ../shared/notes/redis-backend.md §2.2), so the
// Redis tests check compatibility with Scalelite and not merely our own consistency. Each function
// names the code path it mirrors.
import type { Redis } from 'ioredis'
import { keyspace, type Keyspace } from '../../src/db/redis-keys.ts'
import type { RedisTestDb } from './redis-db.ts'

export const DEFAULT_MEETING_TTL = 86_400

export class ScaleliteSeed {
  readonly k: Keyspace

  constructor(
    readonly redis: Redis,
    readonly namespace = 'scalelite',
  ) {
    this.k = keyspace(namespace)
  }

  /**
   * Server#save! of a new server (servers:add, addServer): url, secret, tag when not blank, online
   * 'false', the multiplier as text when one is given (servers:addAll gives none), SADD servers. No
   * state field. With `state`, the later updateServer/servers:enable|cordon|disable save.
   */
  async addServer(s: { id: string; url: string; secret: string; tag?: string; loadMultiplier?: string; state?: 'enabled' | 'cordoned' | 'disabled'; online?: boolean }): Promise<void> {
    const fields: string[] = ['url', s.url, 'secret', s.secret]
    if (s.tag) fields.push('tag', s.tag)
    fields.push('online', s.online ? 'true' : 'false')
    if (s.loadMultiplier !== undefined) fields.push('load_multiplier', s.loadMultiplier)
    await this.redis.multi().hset(this.k.server(s.id), ...fields).sadd(this.k.servers, s.id).exec()
    if (s.state) await this.setState(s.id, s.state)
  }

  /** A server from before the state field: its enabled flag is membership of server_enabled. */
  async addLegacyServer(s: { id: string; url: string; secret: string; enabled: boolean; online?: boolean }): Promise<void> {
    const multi = this.redis.multi().hset(this.k.server(s.id), 'url', s.url, 'secret', s.secret, 'online', s.online ? 'true' : 'false').sadd(this.k.servers, s.id)
    if (s.enabled) multi.sadd(this.k.serverEnabled, s.id)
    await multi.exec()
  }

  /** Server#save! with the state changed: the score read outside the MULTI, then moved. */
  async setState(id: string, state: 'enabled' | 'cordoned' | 'disabled'): Promise<void> {
    const [load, cordoned] = await Promise.all([this.redis.zscore(this.k.serverLoad, id), this.redis.zscore(this.k.cordonedLoad, id)])
    const multi = this.redis.multi().hset(this.k.server(id), 'state', state)
    if (state === 'enabled') {
      multi.sadd(this.k.serverEnabled, id)
      if (load ?? cordoned) multi.zadd(this.k.serverLoad, (load ?? cordoned) as string, id)
      multi.zrem(this.k.cordonedLoad, id)
    } else if (state === 'cordoned') {
      if (cordoned ?? load) multi.zadd(this.k.cordonedLoad, (cordoned ?? load) as string, id)
      multi.zrem(this.k.serverLoad, id).srem(this.k.serverEnabled, id)
    } else multi.srem(this.k.serverEnabled, id).zrem(this.k.serverLoad, id).zrem(this.k.cordonedLoad, id)
    await multi.exec()
  }

  /**
   * poll:servers saving a server: online as text, the counts as text, the load into the sorted set of
   * its state (none for a disabled server), the counters under the bare id.
   */
  async poll(id: string, p: { load?: number; online?: boolean; meetings?: number; users?: number; largestMeeting?: number; videos?: number }): Promise<void> {
    const hash = await this.redis.hgetall(this.k.server(id))
    const enabled = hash.state ? hash.state === 'enabled' : (await this.redis.sismember(this.k.serverEnabled, id)) === 1
    const multi = this.redis.multi()
    const fields: string[] = []
    if (p.online !== undefined) fields.push('online', p.online ? 'true' : 'false')
    for (const [field, value] of [['meetings', p.meetings], ['users', p.users], ['largest_meeting', p.largestMeeting], ['videos', p.videos]] as const)
      if (value !== undefined) fields.push(field, String(value))
    if (fields.length) multi.hset(this.k.server(id), ...fields)
    if (p.load !== undefined) {
      if (hash.state === 'cordoned') multi.zadd(this.k.cordonedLoad, p.load, id)
      else if (enabled) multi.zadd(this.k.serverLoad, p.load, id)
    }
    multi.hset(this.k.counters(id), 'healthy_counter', '0', 'unhealthy_counter', '0')
    await multi.exec()
  }

  /** poll:versions. */
  async version(id: string, version: string): Promise<void> {
    await this.redis.hset(this.k.server(id), 'bbb_version', version)
  }

  /** Rake tasks that set one field (servers:tag, servers:loadMultiplier): '' deletes a tag. */
  async setField(id: string, field: string, value: string): Promise<void> {
    if (field === 'tag' && value === '') await this.redis.hdel(this.k.server(id), 'tag')
    else await this.redis.hset(this.k.server(id), field, value)
  }

  /**
   * Meeting.create on a BBB `create`: HSETNX of the voice bridge first, then the hash under WATCH
   * meetings, its TTL, SADD meetings. redis-rb writes a nil tenant as ''. A moderator password of
   * null leaves the field out, as meetings created before Scalelite stored passwords have it.
   */
  async createMeeting(m: { id: string; serverId: string; moderatorPw: string | null; voiceBridge?: string; tenantId?: string; ttl?: number }): Promise<string> {
    let bridge = m.voiceBridge
    if (bridge === undefined) {
      for (let n = 70_000 + (await this.redis.hlen(this.k.voiceBridges)); bridge === undefined; n++) if (await this.redis.hsetnx(this.k.voiceBridges, String(n), m.id)) bridge = String(n)
    } else await this.redis.hsetnx(this.k.voiceBridges, bridge, m.id)
    const key = this.k.meeting(m.id)
    const multi = this.redis.multi().hsetnx(key, 'server_id', m.serverId)
    if (m.moderatorPw !== null) multi.hsetnx(key, 'moderator_pw', m.moderatorPw)
    multi
      .hsetnx(key, 'voice_bridge', bridge)
      .hsetnx(key, 'tenant_id', m.tenantId ?? '')
      .expire(key, m.ttl ?? DEFAULT_MEETING_TTL)
      .sadd(this.k.meetings, m.id)
    await multi.exec()
    return bridge
  }

  /** Tenant#save! of a new tenant: the name index, name and secrets (and lrs_/kc_ when set), SADD tenants. */
  async addTenant(t: { id: string; name: string; secrets: string; extra?: Record<string, string> }): Promise<void> {
    const fields = ['name', t.name, 'secrets', t.secrets, ...Object.entries(t.extra ?? {}).flat()]
    await this.redis.multi().hset(this.k.tenantName(t.name), 'id', t.id).hset(this.k.tenant(t.id), ...fields).sadd(this.k.tenants, t.id).exec()
  }

  /** TenantSetting#save! of a new setting (tenantSettings:add): the hash, override as text, the id in the tenant's set. */
  async addTenantSetting(s: { id: string; tenantId: string; param: string; value: string; override: boolean }): Promise<void> {
    await this.redis
      .multi()
      .hset(this.k.tenantSetting(s.id), 'param', s.param, 'value', s.value, 'override', String(s.override), 'tenant_id', s.tenantId)
      .sadd(this.k.tenantSettings(s.tenantId), s.id)
      .exec()
  }

  /** tenants:update_lrs_basic / update_lrs_kc. */
  async setTenantFields(id: string, extra: Record<string, string>): Promise<void> {
    await this.redis.hset(this.k.tenant(id), ...Object.entries(extra).flat())
  }
}

// The fleet of ../shared/notes/redis-backend.md §2.3, seeded as Scalelite writes it.
export const A = '2d2d674a-c6bb-48f3-8ad4-68f33a80a5b7'
export const B = 'bbb2.example.com'
export const C = '9b7e1c55-8f2e-4b8e-9a57-3c0f2b7d9e11'

// The fleet of ../shared/notes/redis-backend.md §2.3, as getServers renders it (sorted by hostname).
export const EXPECTED = [
  `{"id":"${A}","url":"https://bbb1.example.com/bigbluebutton/api","secret":"secret-a","tag":"","bbb_version":"3.0.24","state":"enabled","load":21,"load_multiplier":"1.0","online":"online"}`,
  `{"id":"${B}","url":"https://BBB2.example.com/bigbluebutton/api","secret":"secret-b","tag":"test-tag","bbb_version":"2.7.3","state":"cordoned","load":12.5,"load_multiplier":"2.5","online":"online"}`,
  `{"id":"${C}","url":"https://bbb3.example.com/bigbluebutton/api","secret":"secret-c","tag":"","bbb_version":"","state":"enabled","load":0,"load_multiplier":1,"online":"online"}`,
]

export const T1 = '11111111-1111-4111-8111-111111111111'
export const T2 = '22222222-2222-4222-8222-222222222222'

/**
 * A: modern, added with servers:add, enabled, polled with load 21. B: hostname id, multiplier 2.5 and a
 * tag, enabled and polled (12.5), then cordoned. C: from before the state field, only in
 * server_enabled, load 0, no multiplier. Two meetings with TTLs and voice bridges, one id whose hash
 * has expired, and two tenants with their name indexes.
 */
export async function seedFleet(db: RedisTestDb): Promise<void> {
  const { seed } = db
  await seed.addServer({ id: A, url: 'https://bbb1.example.com/bigbluebutton/api', secret: 'secret-a', loadMultiplier: '1.0', state: 'enabled' })
  await seed.poll(A, { online: true, load: 21, meetings: 1, users: 20, largestMeeting: 20, videos: 3 })
  await seed.version(A, '3.0.24')
  await seed.addServer({ id: B, url: 'https://BBB2.example.com/bigbluebutton/api', secret: 'secret-b', tag: 'test-tag', loadMultiplier: '2.5', state: 'enabled' })
  await seed.poll(B, { online: true, load: 12.5 })
  await seed.setState(B, 'cordoned')
  await seed.version(B, '2.7.3')
  await seed.addLegacyServer({ id: C, url: 'https://bbb3.example.com/bigbluebutton/api', secret: 'secret-c', enabled: true, online: true })
  await seed.poll(C, { load: 0 })
  await seed.createMeeting({ id: 'meeting-a', serverId: A, moderatorPw: 'mp-a', voiceBridge: '70001' })
  await seed.createMeeting({ id: 'meeting-b', serverId: B, moderatorPw: 'mp-b', voiceBridge: '70002', tenantId: T1 })
  // A meeting whose hash expired: its id stays in the set.
  await db.redis.sadd(seed.k.meetings, 'meeting-expired')
  await seed.addTenant({ id: T1, name: 'tenant-one', secrets: 'one-secret-1:one-secret-2' })
  await seed.addTenant({ id: T2, name: 'tenant-two', secrets: 'two-secret', extra: { lrs_endpoint: 'https://lrs.example.com/xapi' } })
}
