// The Store on a SQL database through Prisma (SQLite or PostgreSQL). Every change is one transaction;
// unique violations become conflicts, whichever process won the race.
import { ConflictError, serverNotFound, tenantNotFound, tenantSettingExists, tenantSettingNotFound } from '../errors.ts'
import { serverUrlKey } from '../schemas/server.ts'
import type { PrismaClient } from '../generated/sqlite/client.ts'
import { changed, manyChanged, orderedFields, processActor, serverFields, settingFields, tenantFields, type Fields } from './audit.ts'
import {
  TENANT_EXTRA_FIELDS,
  type AuditActor,
  type AuditEvent,
  type AuditFields,
  type AuditNote,
  type DoctorFacts,
  type Meeting,
  type NewServer,
  type PollState,
  type PollUpdate,
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

/** The SQLite client's type serves both providers (PostgreSQL's accepts a superset of its inputs). */
export type Db = PrismaClient
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

const serverColumns = {
  id: true,
  url: true,
  secret: true,
  tag: true,
  state: true,
  load: true,
  loadMultiplier: true,
  online: true,
  bbbVersion: true,
} as const

type ServerRow = {
  id: string
  url: string
  secret: string
  tag: string | null
  state: string
  load: number | null
  loadMultiplier: number | null
  online: boolean
  bbbVersion: string | null
}

// Another program may have stored a state word we do not know; Scalelite shows that as disabled.
const knownState = (state: string): ServerState => (state === 'enabled' || state === 'cordoned' ? state : 'disabled')

function toServer(row: ServerRow): Server {
  const state = knownState(row.state)
  return { ...row, state, load: state === 'disabled' ? null : row.load }
}

const figureColumns = { ...serverColumns, meetings: true, users: true, largestMeeting: true, videos: true, polledAt: true } as const

const pollColumns = { state: true, online: true, load: true, loadMultiplier: true, healthyCounter: true, unhealthyCounter: true } as const

const tenantColumns = {
  id: true,
  name: true,
  secrets: true,
  lrsEndpoint: true,
  lrsUsername: true,
  lrsPassword: true,
  kcTokenUrl: true,
  kcClientId: true,
  kcClientSecret: true,
  kcUsername: true,
  kcPassword: true,
} as const

const settingColumns = { id: true, tenantId: true, param: true, value: true, override: true } as const

const camel = (field: string) => field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

function toTenant(row: Record<string, string | null>): Tenant {
  const extra: Tenant['extra'] = {}
  for (const field of TENANT_EXTRA_FIELDS) {
    const value = row[camel(field)]
    if (value != null && value !== '') extra[field] = value
  }
  return { id: row.id as string, name: row.name as string, secrets: row.secrets as string, extra }
}

/** lrs_ and kc_ fields as columns; an empty string and null both unset one. */
function extraColumns(extra: Partial<Record<string, string | null>>): Record<string, string | null> {
  const columns: Record<string, string | null> = {}
  for (const field of TENANT_EXTRA_FIELDS) if (extra[field] !== undefined) columns[camel(field)] = extra[field] || null
  return columns
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === 'P2002'

// Long enough that a cron job waits behind an operator's command instead of failing.
const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 }

type Diff = { before: AuditFields | null; after: AuditFields | null } | null

export class SqlStore implements Store {
  constructor(
    private readonly db: Db,
    readonly kind: 'sqlite' | 'postgres',
    private readonly actor: AuditActor = processActor(),
  ) {}

  private tx<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(work, TX_OPTIONS)
  }

  /** The audit row of a change, in the change's transaction; nothing when nothing changed. */
  private async record(tx: Tx, objectType: AuditEvent['objectType'], objectId: string | null, diff: Diff): Promise<void> {
    if (!diff) return
    const { user, host, action, command, reason } = this.actor
    const json = (fields: AuditFields | null) => (fields === null ? null : JSON.stringify(fields))
    await tx.auditEvent.create({
      data: { osUser: user, host, action, command, reason, objectType, objectId, before: json(diff.before), after: json(diff.after) },
      select: { id: true },
    })
  }

  async listServers(): Promise<Server[]> {
    return (await this.db.server.findMany({ select: serverColumns })).map(toServer)
  }

  async findServer(id: string): Promise<Server | null> {
    const row = await this.db.server.findUnique({ where: { id }, select: serverColumns })
    return row ? toServer(row) : null
  }

  serverRefs(): Promise<ServerRef[]> {
    return this.db.server.findMany({ select: { id: true, url: true } })
  }

  async addServer(server: NewServer): Promise<Server> {
    try {
      return await this.tx(async (tx) => {
        await this.refuseDuplicateServer(tx, server)
        const created = toServer(await tx.server.create({ data: server, select: serverColumns }))
        await this.record(tx, 'server', created.id, changed(null, serverFields(created)))
        return created
      })
    } catch (e) {
      if (!isUniqueViolation(e)) throw e
      // Lost a race against a concurrent add: say which key was taken.
      await this.refuseDuplicateServer(this.db, server)
      throw new ConflictError(`Server already exists with url=${server.url}`)
    }
  }

  private async refuseDuplicateServer(db: Tx | Db, server: NewServer): Promise<void> {
    if (await db.server.findUnique({ where: { id: server.id }, select: { id: true } }))
      throw new ConflictError(`Server already exists with id '${server.id}'`)
    const byKey = await db.server.findUnique({ where: { urlKey: server.urlKey }, select: { id: true } })
    // Rows written by other programs carry no url_key: compare their URLs here.
    const legacy = byKey ?? (await db.server.findMany({ where: { urlKey: null }, select: { id: true, url: true } })).find((r) => serverUrlKey(r.url) === server.urlKey)
    if (legacy) throw new ConflictError(`Server already exists with url=${server.url} (id=${legacy.id})`)
  }

  async updateServer(id: string, changes: ServerChanges, note?: AuditNote): Promise<Server> {
    return this.tx(async (tx) => {
      const { server, before } = await this.updateIn(tx, id, changes)
      await this.record(tx, 'server', id, changed(before, serverFields(server), note))
      return server
    })
  }

  /** The server after the changes, and its audited fields before them. */
  private async updateIn(tx: Tx, id: string, changes: ServerChanges): Promise<{ server: Server; before: Fields }> {
    const current = await tx.server.findUnique({ where: { id }, select: serverColumns })
    if (!current) throw serverNotFound(id)
    const data: Record<string, unknown> = {}
    if (changes.url !== undefined && changes.url !== current.url) {
      const urlKey = serverUrlKey(changes.url)
      await this.refuseDuplicateUrl(tx, changes.url, urlKey, id)
      Object.assign(data, { url: changes.url, urlKey })
    }
    if (changes.secret !== undefined && changes.secret !== current.secret) data.secret = changes.secret
    if (changes.tag !== undefined && changes.tag !== current.tag) data.tag = changes.tag
    if (changes.loadMultiplier !== undefined && changes.loadMultiplier !== current.loadMultiplier) data.loadMultiplier = changes.loadMultiplier
    if (changes.state !== undefined && changes.state !== current.state) {
      data.state = changes.state
      // As Scalelite: a disabled server has no load; cordoning or enabling carries the load over.
      if (changes.state === 'disabled') data.load = null
    }
    const before = serverFields(current)
    if (Object.keys(data).length === 0) return { server: toServer(current), before }
    return { server: toServer(await tx.server.update({ where: { id }, data, select: serverColumns })), before }
  }

  private async refuseDuplicateUrl(tx: Tx, url: string, urlKey: string, except: string): Promise<void> {
    const byKey = await tx.server.findFirst({ where: { urlKey, id: { not: except } }, select: { id: true } })
    const legacy =
      byKey ?? (await tx.server.findMany({ where: { urlKey: null, id: { not: except } }, select: { id: true, url: true } })).find((r) => serverUrlKey(r.url) === urlKey)
    if (legacy) throw new ConflictError(`Server already exists with url=${url} (id=${legacy.id})`)
  }

  async removeServer(id: string, force: boolean): Promise<void> {
    await this.tx(async (tx) => this.record(tx, 'server', id, changed(await this.removeIn(tx, id, force), null)))
  }

  /** Removes the server; returns its audited fields (with the meetings removed along, if any). */
  private async removeIn(tx: Tx, id: string, force: boolean, hint = true): Promise<Fields> {
    const current = await tx.server.findUnique({ where: { id }, select: serverColumns })
    if (!current) throw serverNotFound(id)
    const meetings = await tx.meeting.count({ where: { serverId: id } })
    if (meetings > 0 && !force)
      throw new ConflictError(
        `Server id=${id} still has ${meetings} meeting${meetings === 1 ? '' : 's'}` +
          (hint ? `; end them with 'servers panic ${id}' or pass --force` : ''),
      )
    if (meetings > 0) await tx.meeting.deleteMany({ where: { serverId: id } })
    await tx.server.delete({ where: { id } })
    return meetings > 0 ? { ...serverFields(current), meetings } : serverFields(current)
  }

  async applyServerChanges(changes: ServerChange[]): Promise<Server[]> {
    try {
      return await this.tx(async (tx) => {
        const servers: Server[] = []
        const audited: { id: string; before: Fields | null; after: Fields | null }[] = []
        for (const change of changes) {
          if (change.kind === 'remove') {
            audited.push({ id: change.id, before: await this.removeIn(tx, change.id, false, false), after: null })
          } else if (change.kind === 'update') {
            const { server, before } = await this.updateIn(tx, change.id, change.changes)
            servers.push(server)
            audited.push({ id: server.id, before, after: serverFields(server) })
          } else {
            await this.refuseDuplicateServer(tx, change.server)
            const created = toServer(await tx.server.create({ data: change.server, select: serverColumns }))
            servers.push(created)
            audited.push({ id: created.id, before: null, after: serverFields(created) })
          }
        }
        await this.record(tx, 'servers', null, manyChanged(audited))
        return servers
      })
    } catch (e) {
      // Lost a race against a concurrent add of the same id or URL.
      if (isUniqueViolation(e)) throw new ConflictError('Another command added one of these servers meanwhile; nothing was changed')
      throw e
    }
  }

  async serverFigures(): Promise<ServerFigures[]> {
    return (await this.db.server.findMany({ select: figureColumns })).map((row) => ({ ...row, ...toServer(row) }))
  }

  async recordPoll(id: string, compute: (current: PollState) => PollUpdate): Promise<boolean> {
    return this.tx(async (tx) => {
      const row = await tx.server.findUnique({ where: { id }, select: pollColumns })
      if (!row) return false
      const current: PollState = { ...row, state: knownState(row.state) }
      const next = compute(current)
      const data: Record<string, unknown> = {
        online: next.online,
        load: next.state === 'disabled' ? null : next.load,
        healthyCounter: next.healthyCounter,
        unhealthyCounter: next.unhealthyCounter,
      }
      // An unknown state word written by another program stays as it is unless the poll changes it.
      if (next.state !== current.state) data.state = next.state
      if (next.figures) Object.assign(data, next.figures)
      if (next.bbbVersion !== undefined) data.bbbVersion = next.bbbVersion
      if (next.polledAt) data.polledAt = next.polledAt
      await tx.server.update({ where: { id }, data, select: { id: true } })
      return true
    })
  }

  meetingsOf(serverId: string): Promise<Meeting[]> {
    return this.db.meeting.findMany({ where: { serverId }, select: { id: true, moderatorPw: true }, orderBy: { id: 'asc' } })
  }

  async deleteMeetings(serverId: string, meetingIds: string[] | 'all'): Promise<number> {
    const where = meetingIds === 'all' ? { serverId } : { serverId, id: { in: meetingIds } }
    return (await this.db.meeting.deleteMany({ where })).count
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.db.tenant.findMany({ select: tenantColumns, orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(toTenant)
  }

  async findTenant(ref: string): Promise<Tenant | null> {
    const row =
      (await this.db.tenant.findUnique({ where: { id: ref }, select: tenantColumns })) ??
      (await this.db.tenant.findUnique({ where: { name: ref }, select: tenantColumns }))
    return row ? toTenant(row) : null
  }

  async addTenant({ extra, ...tenant }: { id: string; name: string; secrets: string; extra?: Tenant['extra'] }): Promise<Tenant> {
    try {
      return await this.tx(async (tx) => {
        await this.refuseDuplicateName(tx, tenant.name)
        const created = toTenant(await tx.tenant.create({ data: { ...tenant, ...extraColumns(extra ?? {}) }, select: tenantColumns }))
        await this.record(tx, 'tenant', created.id, changed(null, tenantFields(created)))
        return created
      })
    } catch (e) {
      if (isUniqueViolation(e)) await this.refuseDuplicateName(this.db, tenant.name)
      throw e
    }
  }

  private async refuseDuplicateName(db: Tx | Db, name: string, except?: string): Promise<void> {
    const other = await db.tenant.findUnique({ where: { name }, select: { id: true } })
    if (other && other.id !== except) throw new ConflictError(`Tenant already exists with name=${name} (id=${other.id})`)
  }

  async updateTenant(id: string, changes: TenantChanges): Promise<Tenant> {
    try {
      return await this.tx(async (tx) => {
        const current = await tx.tenant.findUnique({ where: { id }, select: tenantColumns })
        if (!current) throw tenantNotFound(id)
        const data: Record<string, string | null> = {}
        if (changes.name !== undefined && changes.name !== current.name) {
          await this.refuseDuplicateName(tx, changes.name, id)
          data.name = changes.name
        }
        if (changes.secrets !== undefined && changes.secrets !== current.secrets) data.secrets = changes.secrets
        for (const [column, value] of Object.entries(extraColumns(changes.extra ?? {})))
          if (value !== (current as Record<string, string | null>)[column]) data[column] = value
        if (Object.keys(data).length === 0) return toTenant(current)
        const updated = toTenant(await tx.tenant.update({ where: { id }, data, select: tenantColumns }))
        await this.record(tx, 'tenant', id, changed(tenantFields(toTenant(current)), tenantFields(updated)))
        return updated
      })
    } catch (e) {
      if (isUniqueViolation(e) && changes.name !== undefined) await this.refuseDuplicateName(this.db, changes.name, id)
      throw e
    }
  }

  async deleteTenant(id: string): Promise<void> {
    await this.tx(async (tx) => {
      const current = await tx.tenant.findUnique({ where: { id }, select: tenantColumns })
      if (!current) throw tenantNotFound(id)
      // The foreign key cascades too, but SQLite enforces it only where foreign_keys is on.
      const { count } = await tx.tenantSetting.deleteMany({ where: { tenantId: id } })
      await tx.tenant.delete({ where: { id }, select: { id: true } })
      const before = tenantFields(toTenant(current))
      await this.record(tx, 'tenant', id, changed(count > 0 ? { ...before, settings: count } : before, null))
    })
  }

  async auditEvents(since?: Date): Promise<AuditEvent[]> {
    const rows = await this.db.auditEvent.findMany({ where: since ? { at: { gte: since } } : {}, orderBy: { id: 'asc' } })
    return rows.map((row) => {
      const many = row.objectType === 'servers'
      const parse = (text: string | null) => orderedFields(text === null ? null : (JSON.parse(text) as AuditFields), many)
      return { ...row, objectType: row.objectType as AuditEvent['objectType'], before: parse(row.before), after: parse(row.after) }
    })
  }

  async doctorFacts(): Promise<DoctorFacts> {
    const [servers, strayMeetings, tenants, tenantSettings] = await Promise.all([
      this.db.server.findMany({ select: { id: true, url: true, tag: true, state: true }, orderBy: { id: 'asc' } }),
      // One query, the same SQL on both databases: a meeting with no server_id, or one whose server
      // is gone (another program's write, or SQLite without foreign keys). Prisma's relation filter
      // reads only server_id IS NULL here, so this is the one raw read.
      this.db.$queryRaw<{ id: string; serverId: string | null }[]>`
        SELECT m.id AS "id", m.server_id AS "serverId" FROM meetings m
        WHERE m.server_id IS NULL OR NOT EXISTS (SELECT 1 FROM servers s WHERE s.id = m.server_id)`,
      this.db.tenant.findMany({ select: { id: true, name: true, secrets: true }, orderBy: { id: 'asc' } }),
      this.db.tenantSetting.findMany({ select: { id: true, tenantId: true, param: true }, orderBy: { id: 'asc' } }),
    ])
    return {
      where: { kind: this.kind },
      servers: servers.map((s) => ({ ...s, state: knownState(s.state) })),
      strayMeetings,
      tenants,
      tenantSettings,
    }
  }

  listTenantSettings(tenantId?: string): Promise<TenantSetting[]> {
    return this.db.tenantSetting.findMany({ where: tenantId === undefined ? {} : { tenantId }, select: settingColumns })
  }

  async addTenantSetting(setting: TenantSetting): Promise<TenantSetting> {
    try {
      return await this.tx(async (tx) => {
        if (!(await tx.tenant.findUnique({ where: { id: setting.tenantId }, select: { id: true } }))) throw tenantNotFound(setting.tenantId)
        await this.refuseDuplicateSetting(tx, setting)
        const created = await tx.tenantSetting.create({ data: setting, select: settingColumns })
        await this.record(tx, 'tenant_setting', created.id, changed(null, settingFields(created)))
        return created
      })
    } catch (e) {
      // Lost a race against a concurrent add of the same setting: name the winner.
      if (isUniqueViolation(e)) await this.refuseDuplicateSetting(this.db, setting)
      throw e
    }
  }

  private async refuseDuplicateSetting(db: Tx | Db, setting: TenantSetting): Promise<void> {
    const where = { tenantId_param_override: { tenantId: setting.tenantId, param: setting.param, override: setting.override } }
    const other = await db.tenantSetting.findUnique({ where, select: { id: true } })
    if (other) throw tenantSettingExists(setting, other.id)
  }

  async removeTenantSetting(id: string): Promise<void> {
    await this.tx(async (tx) => {
      const current = await tx.tenantSetting.findUnique({ where: { id }, select: settingColumns })
      if (!current) throw tenantSettingNotFound(id)
      await tx.tenantSetting.delete({ where: { id }, select: { id: true } })
      await this.record(tx, 'tenant_setting', id, changed(settingFields(current), null))
    })
  }

  async close(): Promise<void> {
    await this.db.$disconnect()
  }
}
