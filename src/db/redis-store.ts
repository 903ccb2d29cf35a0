// The Store on a live Scalelite's own Redis, in Scalelite's key layout (redis-keys.ts). Reads follow
// Server.all / server_to_json; every write is one Lua script (redis-scripts.ts) that writes what
// Scalelite's models write, with our guards on top. See ../shared/notes/redis-backend.md.
import type { Redis } from 'ioredis'
import { CliError, ConflictError, FatalError, serverNotFound, tenantNotFound, tenantSettingExists, tenantSettingNotFound, UsageError } from '../errors.ts'
import { decimalString, serverUrlKey } from '../schemas/server.ts'
import { clusterRefusal } from './redis-connect.ts'
import { collidesWithScaleliteKey, keyspace, type Keyspace } from './redis-keys.ts'
import { SCRIPTS } from './redis-scripts.ts'
import { orderedFields, processActor } from './audit.ts'
import {
  NO_POLL_ON_REDIS,
  TENANT_EXTRA_FIELDS,
  type AuditActor,
  type AuditEvent,
  type AuditFields,
  type AuditNote,
  type DoctorFacts,
  type Meeting,
  type NewServer,
  type Server,
  type ServerChange,
  type ServerChanges,
  type ServerFigures,
  type ServerRef,
  type ServerState,
  type Store,
  type Tenant,
  type TenantChanges,
  type TenantSetting,
} from './store.ts'

type ScriptName = keyof typeof SCRIPTS
type Reply = [string, ...unknown[]]

/** Ruby's String#to_d, which Scalelite applies to a stored load multiplier: the leading number, else 0. */
export function rubyDecimal(text: string): number {
  const match = /^\s*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*))?/.exec(text)
  if (!match || (match[2] === undefined && match[3] === undefined)) return 0
  const [whole, sign, int = '0', fraction = ''] = match
  const exponent = /^[eE]([+-]?\d+)/.exec(text.slice(whole.length))
  const value = Number(`${sign}${int.replace(/_/g, '')}.${fraction.replace(/_/g, '') || '0'}${exponent ? `e${exponent[1]}` : ''}`)
  return Number.isFinite(value) ? value : 0
}

const score = (text: string | null | undefined): number | null => {
  if (text === null || text === undefined || text === '') return null
  const value = Number(text)
  return Number.isFinite(value) ? value : null
}

/** A flat HGETALL reply (as a Lua script returns it) as an object. */
function fields(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string
  return out
}

interface ServerKeys {
  hash: Record<string, string>
  /** Member of server_enabled: the legacy enabled flag. */
  enabled: boolean
  load: number | null
  cordonedLoad: number | null
}

/** A server as Scalelite's Server.find and server_to_json read it. */
function toServer(id: string, k: ServerKeys): Server {
  const stored = k.hash.state || null
  let load: number | null = null
  if (stored === 'cordoned') load = k.cordonedLoad
  else if (stored && stored !== 'disabled') load = k.load
  else if (!stored && k.enabled) load = k.load
  // A state word we do not know reads as disabled, as on SQL.
  const state: ServerState = stored === 'enabled' || stored === 'cordoned' ? stored : stored ? 'disabled' : k.enabled ? 'enabled' : 'disabled'
  return {
    id,
    url: k.hash.url ?? '',
    secret: k.hash.secret ?? '',
    tag: k.hash.tag || null,
    state,
    load: state === 'disabled' ? null : load,
    loadMultiplier: k.hash.load_multiplier === undefined ? null : rubyDecimal(k.hash.load_multiplier),
    online: k.hash.online === 'true',
    bbbVersion: k.hash.bbb_version ?? null,
  }
}

/** A server as a script returns it: its hash, the legacy enabled flag, both scores ('' for none). */
type Snapshot = [string[], number, string, string]

const fromSnapshot = (id: string, [hash, enabled, load, cordoned]: Snapshot): Server =>
  toServer(id, { hash: fields(hash), enabled: enabled === 1, load: score(load), cordonedLoad: score(cordoned) })

const count = (text: string | undefined): number | null => (text === undefined || text === '' || !/^-?\d+$/.test(text) ? null : Number(text))

function toTenant(id: string, hash: Record<string, string>): Tenant {
  const extra: Tenant['extra'] = {}
  for (const field of TENANT_EXTRA_FIELDS) if (hash[field]) extra[field] = hash[field]
  return { id, name: hash.name ?? '', secrets: hash.secrets ?? '', extra }
}

const STORE_METHODS = [
  'listServers',
  'findServer',
  'serverRefs',
  'addServer',
  'updateServer',
  'removeServer',
  'serverFigures',
  'applyServerChanges',
  'meetingsOf',
  'deleteMeetings',
  'listTenants',
  'findTenant',
  'addTenant',
  'updateTenant',
  'deleteTenant',
  'auditEvents',
  'doctorFacts',
  'listTenantSettings',
  'addTenantSetting',
  'removeTenantSetting',
] as const

/** A refused right, Cluster, or a lost connection, as one line; anything else as it is. */
function redisFailure(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof CliError) return e
  const messages = [e.message, ...((e as { previousErrors?: Error[] }).previousErrors ?? []).map((p) => p.message)]
  const noperm = messages.find((m) => /NOPERM/.test(m))
  if (noperm) return new FatalError(`the Redis user may not do this: ${noperm} (see "Using it on an existing Scalelite" in the README for the rights it needs)`)
  if (messages.some((m) => /CROSSSLOT/.test(m))) return clusterRefusal()
  const audit = messages.find((m) => /^AUDITKEY /.test(m))
  if (audit) return new FatalError(`the Redis key ${audit.slice('AUDITKEY '.length)}`)
  if (/Connection is closed|ECONNRESET|EPIPE|Stream isn't writeable/.test(e.message)) return new FatalError(`lost the connection to Redis: ${e.message}`)
  return e
}

/** How often an add re-reads the servers when others changed them meanwhile. */
const MAX_RETRIES = 50

export class RedisStore implements Store {
  readonly kind = 'redis' as const
  private readonly k: Keyspace
  private warnedEmpty = false

  constructor(
    private readonly redis: Redis,
    readonly namespace: string,
    private readonly warn: (message: string) => void = () => {},
    private readonly actor: AuditActor = processActor(),
  ) {
    this.k = keyspace(namespace)
    for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(`sa_${name}`, script)
    // Redis's own failures become our errors, whichever method met them.
    const self = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    for (const method of STORE_METHODS) {
      const body = self[method] as (...args: unknown[]) => Promise<unknown>
      self[method] = async (...args: unknown[]) => {
        try {
          return await body.apply(this, args)
        } catch (e) {
          throw redisFailure(e)
        }
      }
    }
  }

  /** Runs a write script; every script writes its own audit row (redis-scripts.ts, AUDIT). */
  private run(name: ScriptName, keys: string[], args: (string | number)[], note?: AuditNote): Promise<Reply> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<Reply>>)[`sa_${name}`] as (
      ...a: (string | number)[]
    ) => Promise<Reply>
    const { user, host, action, command: line, reason } = this.actor
    const actor = { os_user: user, host, action, command: line, reason, at: Date.now(), note_before: note?.before ?? null, note_after: note?.after ?? null }
    return command.call(this.redis, ...keys, this.k.auditEvents, JSON.stringify(actor), ...args)
  }

  /** A namespace without a `servers` key is most often the wrong namespace: say so, once. */
  private noteMissingServers(exists: boolean): void {
    if (exists || this.warnedEmpty) return
    this.warnedEmpty = true
    const where = this.namespace === '' ? 'without a namespace' : `in namespace '${this.namespace}'`
    this.warn(`this Redis has no Scalelite servers ${where} (no key ${this.k.servers}); if Scalelite uses another, set REDIS_NAMESPACE`)
  }

  /** One consistent read of the sets (MULTI), then the hashes of their members in one pipeline. */
  private async readServers(): Promise<Server[]> {
    const replies = await this.redis
      .multi()
      .smembers(this.k.servers)
      .smembers(this.k.serverEnabled)
      .zrange(this.k.serverLoad, 0, -1, 'WITHSCORES')
      .zrange(this.k.cordonedLoad, 0, -1, 'WITHSCORES')
      .exec()
    const [ids, enabled, loads, cordoned] = (replies ?? []).map(([e, value]) => {
      if (e) throw e
      return value as string[]
    }) as [string[], string[], string[], string[]]
    this.noteMissingServers(ids.length > 0)
    const scores = (flat: string[]) => {
      const map = new Map<string, number | null>()
      for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i] as string, score(flat[i + 1]))
      return map
    }
    const [enabledSet, loadOf, cordonedOf] = [new Set(enabled), scores(loads), scores(cordoned)]
    const hashes = await this.hashes(ids.map((id) => this.k.server(id)))
    const servers: Server[] = []
    ids.forEach((id, i) => {
      const hash = hashes[i] as Record<string, string>
      // Server.all skips ids whose hash has gone.
      if (Object.keys(hash).length === 0) return
      servers.push(toServer(id, { hash, enabled: enabledSet.has(id), load: loadOf.get(id) ?? null, cordonedLoad: cordonedOf.get(id) ?? null }))
    })
    return servers
  }

  private async hashes(keys: string[]): Promise<Record<string, string>[]> {
    if (keys.length === 0) return []
    const pipeline = this.redis.pipeline()
    for (const key of keys) pipeline.hgetall(key)
    return ((await pipeline.exec()) ?? []).map(([e, value]) => {
      if (e) throw e
      return value as Record<string, string>
    })
  }

  listServers(): Promise<Server[]> {
    return this.readServers()
  }

  async findServer(id: string): Promise<Server | null> {
    const replies = await this.redis
      .multi()
      .sismember(this.k.servers, id)
      .hgetall(this.k.server(id))
      .sismember(this.k.serverEnabled, id)
      .zscore(this.k.serverLoad, id)
      .zscore(this.k.cordonedLoad, id)
      .exec()
    const [member, hash, enabled, load, cordoned] = (replies ?? []).map(([e, value]) => {
      if (e) throw e
      return value
    }) as [number, Record<string, string>, number, string | null, string | null]
    if (!member || Object.keys(hash).length === 0) return null
    return toServer(id, { hash, enabled: enabled === 1, load: score(load), cordonedLoad: score(cordoned) })
  }

  async serverRefs(): Promise<ServerRef[]> {
    const ids = await this.redis.smembers(this.k.servers)
    this.noteMissingServers(ids.length > 0)
    return (await this.urls(ids)).filter((r): r is ServerRef => r.url !== null)
  }

  /** The stored URL of each id (null when its hash has gone). */
  private async urls(ids: string[]): Promise<{ id: string; url: string | null }[]> {
    if (ids.length === 0) return []
    const pipeline = this.redis.pipeline()
    for (const id of ids) pipeline.hget(this.k.server(id), 'url')
    const replies = (await pipeline.exec()) ?? []
    return ids.map((id, i) => {
      const [e, url] = replies[i] as [Error | null, string | null]
      if (e) throw e
      return { id, url }
    })
  }

  /**
   * Every server's id and URL, for a URL check the script then verifies still holds: a server
   * whose URL has the same key (scheme and host case, trailing slashes ignored) is a conflict.
   */
  private async urlSnapshot(url: string, except?: string): Promise<string[]> {
    const seen = await this.urls(await this.redis.smembers(this.k.servers))
    const key = serverUrlKey(url)
    const same = seen.find((s) => s.id !== except && s.url !== null && serverUrlKey(s.url) === key)
    if (same) throw new ConflictError(`Server already exists with url=${url} (id=${same.id})`)
    return seen.flatMap((s) => [s.id, s.url ?? ''])
  }

  async addServer(server: NewServer): Promise<Server> {
    if (collidesWithScaleliteKey(server.id))
      throw new UsageError(`Server id '${server.id}' would collide with Scalelite's own Redis key ${this.k.counters(server.id)}; use another host name`)
    // What Scalelite's Server#save! writes for a new server: no state field unless enabled, online
    // 'false', the multiplier as Ruby prints a decimal, no tag field for no tag.
    const hash: string[] = ['url', server.url, 'secret', server.secret]
    if (server.tag) hash.push('tag', server.tag)
    hash.push('online', 'false')
    if (server.loadMultiplier !== null) hash.push('load_multiplier', decimalString(server.loadMultiplier))
    const keys = [this.k.servers, this.k.server(server.id), this.k.serverEnabled]

    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      if (await this.redis.sismember(this.k.servers, server.id)) break
      const snapshot = await this.urlSnapshot(server.url)
      const [status] = await this.run('addServer', keys, [server.id, server.state === 'enabled' ? '1' : '0', this.k.prefix, hash.length, ...hash, ...snapshot])
      if (status === 'EXISTS') break
      if (status === 'OK') {
        // Like Scalelite, an added server has no load until the poller writes one.
        const { state } = server
        if (state === 'cordoned') return this.updateServer(server.id, { state })
        return { id: server.id, url: server.url, secret: server.secret, tag: server.tag, state, load: null, loadMultiplier: server.loadMultiplier, online: false, bbbVersion: null }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)))
    }
    if (await this.redis.sismember(this.k.servers, server.id)) throw new ConflictError(`Server already exists with id '${server.id}'`)
    throw new ConflictError(`the servers changed ${MAX_RETRIES} times while adding ${server.url}; try again`)
  }

  async updateServer(id: string, changes: ServerChanges, note?: AuditNote): Promise<Server> {
    const keys = [this.k.servers, this.k.server(id), this.k.serverEnabled, this.k.serverLoad, this.k.cordonedLoad]
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const urlChange = changes.url !== undefined ? [changes.url, ...(await this.urlSnapshot(changes.url, id))] : []
      const reply = await this.run('updateServer', keys, [...this.changeArgs(id, changes), this.k.prefix, ...urlChange], note)
      if (reply[0] === 'NOTFOUND') throw serverNotFound(id)
      if (reply[0] === 'OK') return fromSnapshot(id, reply[1] as Snapshot)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)))
    }
    throw new ConflictError(`the servers changed ${MAX_RETRIES} times while updating server id=${id}; try again`)
  }

  async removeServer(id: string, force: boolean): Promise<void> {
    const keys = [this.k.servers, this.k.server(id), this.k.serverEnabled, this.k.serverLoad, this.k.cordonedLoad, this.k.meetings, this.k.voiceBridges]
    const counters = collidesWithScaleliteKey(id) ? '' : this.k.counters(id)
    const reply = await this.run('removeServer', keys, [id, force ? '1' : '0', this.k.prefix, counters])
    if (reply[0] === 'NOTFOUND') throw serverNotFound(id)
    if (reply[0] === 'MEETINGS') {
      const meetings = Number(reply[1])
      throw new ConflictError(`Server id=${id} still has ${meetings} meeting${meetings === 1 ? '' : 's'}; end them with 'servers panic ${id}' or pass --force`)
    }
  }

  async serverFigures(): Promise<ServerFigures[]> {
    const servers = await this.readServers()
    const hashes = await this.hashes(servers.map((s) => this.k.server(s.id)))
    return servers.map((server, i) => {
      const hash = hashes[i] as Record<string, string>
      // Scalelite keeps no time of the last poll.
      return { ...server, meetings: count(hash.meetings), users: count(hash.users), largestMeeting: count(hash.largest_meeting), videos: count(hash.videos), polledAt: null }
    })
  }

  /**
   * Changes of many servers' fields and states (the bulk state changes) in one script, all or none.
   * Creating, removing and re-addressing servers in one step (servers sync) is Scalelite's own
   * servers:sync's job on Redis.
   */
  async applyServerChanges(changes: ServerChange[]): Promise<Server[]> {
    const args: string[] = [this.k.prefix]
    for (const change of changes) {
      if (change.kind !== 'update' || change.changes.url !== undefined) throw new UsageError("servers sync is not available on a Redis store when it adds, removes or re-addresses servers: use Scalelite's own servers:sync there")
      args.push(...this.changeArgs(change.id, change.changes))
    }
    if (changes.length === 0) return []
    const reply = await this.run('updateServers', [this.k.servers, this.k.serverEnabled, this.k.serverLoad, this.k.cordonedLoad], args)
    if (reply[0] === 'NOTFOUND') throw serverNotFound(String(reply[1]))
    return (reply[1] as Snapshot[]).map((snapshot, i) => fromSnapshot((changes[i] as ServerChange & { id: string }).id, snapshot))
  }

  /** id, secret, tag mode, tag, load multiplier, state: as the scripts take a server's changes. */
  private changeArgs(id: string, changes: ServerChanges): string[] {
    const tagMode = changes.tag === undefined ? 'keep' : changes.tag === null || changes.tag === '' ? 'del' : 'set'
    const multiplier = changes.loadMultiplier === undefined ? '' : decimalString(changes.loadMultiplier)
    return [id, changes.secret ?? '', tagMode, changes.tag ?? '', multiplier, changes.state ?? '']
  }

  async recordPoll(): Promise<boolean> {
    throw new UsageError(NO_POLL_ON_REDIS)
  }

  async meetingsOf(serverId: string): Promise<Meeting[]> {
    const ids = await this.redis.smembers(this.k.meetings)
    if (ids.length === 0) return []
    const pipeline = this.redis.pipeline()
    for (const id of ids) pipeline.hmget(this.k.meeting(id), 'server_id', 'moderator_pw')
    const replies = (await pipeline.exec()) ?? []
    const meetings: Meeting[] = []
    ids.forEach((id, i) => {
      const [e, value] = replies[i] as [Error | null, [string | null, string | null]]
      if (e) throw e
      // An expired meeting's id stays in the set; its hash is gone, so it belongs to no server.
      if (value[0] === serverId) meetings.push({ id, moderatorPw: value[1] })
    })
    return meetings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  async deleteMeetings(serverId: string, meetingIds: string[] | 'all'): Promise<number> {
    if (meetingIds !== 'all' && meetingIds.length === 0) return 0
    const ids = meetingIds === 'all' ? ['all'] : ['ids', ...meetingIds]
    const reply = await this.run('deleteMeetings', [this.k.meetings, this.k.voiceBridges], [serverId, this.k.prefix, ...ids])
    return Number(reply[1])
  }

  async listTenants(): Promise<Tenant[]> {
    const ids = await this.redis.smembers(this.k.tenants)
    const hashes = await this.hashes(ids.map((id) => this.k.tenant(id)))
    const tenants: Tenant[] = []
    ids.forEach((id, i) => {
      const hash = hashes[i] as Record<string, string>
      if (Object.keys(hash).length > 0) tenants.push(toTenant(id, hash))
    })
    return tenants.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1))
  }

  private async tenantById(id: string): Promise<Tenant | null> {
    const replies = await this.redis.multi().sismember(this.k.tenants, id).hgetall(this.k.tenant(id)).exec()
    const [[, member], [, hash]] = replies as [[null, number], [null, Record<string, string>]]
    return member && Object.keys(hash).length > 0 ? toTenant(id, hash) : null
  }

  async findTenant(ref: string): Promise<Tenant | null> {
    const byId = await this.tenantById(ref)
    if (byId) return byId
    // Scalelite's name index, checked against the tenant it points at.
    const indexed = await this.redis.hget(this.k.tenantName(ref), 'id')
    const viaIndex = indexed ? await this.tenantById(indexed) : null
    if (viaIndex?.name === ref) return viaIndex
    // An index Scalelite lost (its rename deletes the old name's index whoever it points at).
    const named = (await this.listTenants()).filter((t) => t.name === ref)
    return named.length === 1 ? (named[0] as Tenant) : null
  }

  async addTenant(tenant: { id: string; name: string; secrets: string; extra?: Tenant['extra'] }): Promise<Tenant> {
    const hash = ['name', tenant.name, 'secrets', tenant.secrets]
    for (const field of TENANT_EXTRA_FIELDS) if (tenant.extra?.[field]) hash.push(field, tenant.extra[field] as string)
    const reply = await this.run('addTenant', [this.k.tenants, this.k.tenant(tenant.id), this.k.tenantName(tenant.name)], [tenant.id, tenant.name, this.k.prefix, ...hash])
    if (reply[0] === 'CONFLICT') throw new ConflictError(`Tenant already exists with name=${tenant.name} (id=${String(reply[1])})`)
    return toTenant(tenant.id, fields(hash))
  }

  async updateTenant(id: string, changes: TenantChanges): Promise<Tenant> {
    const extra: string[] = []
    for (const field of TENANT_EXTRA_FIELDS) if (changes.extra?.[field] !== undefined) extra.push(field, changes.extra[field] ?? '')
    const reply = await this.run('updateTenant', [this.k.tenants, this.k.tenant(id)], [id, this.k.prefix, changes.name ?? '', changes.secrets ?? '', ...extra])
    if (reply[0] === 'NOTFOUND') throw tenantNotFound(id)
    if (reply[0] === 'CONFLICT') throw new ConflictError(`Tenant already exists with name=${changes.name} (id=${String(reply[1])})`)
    return toTenant(id, fields(reply[1] as string[]))
  }

  async deleteTenant(id: string): Promise<void> {
    const reply = await this.run('deleteTenant', [this.k.tenants, this.k.tenant(id), this.k.tenantSettings(id)], [id, this.k.prefix])
    if (reply[0] === 'NOTFOUND') throw tenantNotFound(id)
  }

  async auditEvents(since?: Date): Promise<AuditEvent[]> {
    const type = await this.redis.type(this.k.auditEvents)
    if (type !== 'none' && type !== 'list') throw new FatalError(`the Redis key ${this.k.auditEvents} holds a ${type}, not the audit list`)
    const rows = (await this.redis.lrange(this.k.auditEvents, 0, -1)).map((text) => JSON.parse(text) as Record<string, unknown>)
    return rows
      .map((row) => ({
        id: row.id as number,
        at: new Date(row.at as number),
        osUser: row.os_user as string,
        host: row.host as string,
        action: row.action as string,
        command: row.command as string,
        objectType: row.object_type as AuditEvent['objectType'],
        objectId: (row.object_id as string | null) ?? null,
        before: orderedFields((row.before as AuditFields | null) ?? null, row.object_type === 'servers'),
        after: orderedFields((row.after as AuditFields | null) ?? null, row.object_type === 'servers'),
        reason: (row.reason as string | null) ?? null,
      }))
      .filter((event) => !since || event.at >= since)
  }

  /**
   * Reads only: the servers as Scalelite reads them, each meeting's server_id (one pipeline over the
   * meetings set, as panic scans them; expired ids are skipped), the tenants, and the tenant settings
   * found by SCAN (Scalelite keeps no set of them all; its tenant delete leaves them behind).
   */
  async doctorFacts(): Promise<DoctorFacts> {
    const servers = await this.readServers()
    const known = new Set(servers.map((s) => s.id))
    const meetingIds = await this.redis.smembers(this.k.meetings)
    const strayMeetings: DoctorFacts['strayMeetings'] = []
    if (meetingIds.length > 0) {
      const pipeline = this.redis.pipeline()
      for (const id of meetingIds) pipeline.exists(this.k.meeting(id)).hget(this.k.meeting(id), 'server_id')
      const replies = (await pipeline.exec()) ?? []
      meetingIds.forEach((id, i) => {
        const [[e1, exists], [e2, serverId]] = [replies[2 * i], replies[2 * i + 1]] as [[Error | null, number], [Error | null, string | null]]
        if (e1 || e2) throw e1 ?? e2
        if (exists === 0) return
        if (!serverId) strayMeetings.push({ id, serverId: null })
        else if (!known.has(serverId)) strayMeetings.push({ id, serverId })
      })
    }
    const tenants = (await this.listTenants()).map(({ id, name, secrets }) => ({ id, name, secrets }))
    return {
      where: { kind: 'redis', prefix: this.k.prefix },
      servers: servers.map(({ id, url, tag, state }) => ({ id, url, tag, state })),
      strayMeetings: strayMeetings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      tenants,
      tenantSettings: await this.tenantSettings(),
    }
  }

  private async tenantSettings(): Promise<DoctorFacts['tenantSettings']> {
    const prefix = this.k.tenantSetting('')
    // The namespace is matched literally: escape the glob characters SCAN would read in it.
    const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
    const keys = new Set<string>()
    let cursor = '0'
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000)
      for (const key of batch) keys.add(key)
      cursor = next
    } while (cursor !== '0')
    const ordered = [...keys].sort()
    if (ordered.length === 0) return []
    const pipeline = this.redis.pipeline()
    for (const key of ordered) pipeline.hmget(key, 'tenant_id', 'param')
    const replies = (await pipeline.exec()) ?? []
    const settings: DoctorFacts['tenantSettings'] = []
    ordered.forEach((key, i) => {
      const [e, value] = replies[i] as [Error | null, [string | null, string | null]]
      // A key of another type under that name is not Scalelite's: not a setting.
      if (e && /WRONGTYPE/.test(e.message)) return
      if (e) throw e
      if (value[0] === null && value[1] === null) return
      settings.push({ id: key.slice(prefix.length), tenantId: value[0] ?? '', param: value[1] ?? '' })
    })
    return settings
  }

  /** Each tenant's set, then the hashes of its members; ids whose hash has gone are skipped. */
  async listTenantSettings(tenantId?: string): Promise<TenantSetting[]> {
    const tenantIds = tenantId === undefined ? await this.redis.smembers(this.k.tenants) : [tenantId]
    const pipeline = this.redis.pipeline()
    for (const t of tenantIds) pipeline.smembers(this.k.tenantSettings(t))
    const sets = ((await pipeline.exec()) ?? []).map(([e, ids]) => {
      if (e) throw e
      return ids as string[]
    })
    const ids = sets.flatMap((members, i) => members.map((id) => ({ id, tenantId: tenantIds[i] as string })))
    const hashes = await this.hashes(ids.map(({ id }) => this.k.tenantSetting(id)))
    const settings: TenantSetting[] = []
    ids.forEach(({ id, tenantId: owner }, i) => {
      const hash = hashes[i] as Record<string, string>
      if (Object.keys(hash).length === 0) return
      settings.push({ id, tenantId: hash.tenant_id || owner, param: hash.param ?? '', value: hash.value ?? '', override: hash.override === 'true' })
    })
    return settings
  }

  async addTenantSetting(setting: TenantSetting): Promise<TenantSetting> {
    const keys = [this.k.tenants, this.k.tenant(setting.tenantId), this.k.tenantSettings(setting.tenantId), this.k.tenantSetting(setting.id)]
    const args = [setting.id, setting.tenantId, setting.param, setting.value, String(setting.override), this.k.prefix]
    const reply = await this.run('addTenantSetting', keys, args)
    if (reply[0] === 'NOTFOUND') throw tenantNotFound(setting.tenantId)
    if (reply[0] === 'CONFLICT') throw tenantSettingExists(setting, String(reply[1]))
    return setting
  }

  async removeTenantSetting(id: string): Promise<void> {
    const reply = await this.run('removeTenantSetting', [this.k.tenantSetting(id)], [id, this.k.prefix])
    if (reply[0] === 'NOTFOUND') throw tenantSettingNotFound(id)
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}
