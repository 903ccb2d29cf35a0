// The one interface every command talks to. The SQL implementation (Prisma, SQLite or PostgreSQL) is
// in sql-store.ts; implementations map their own failures to the errors of src/errors.ts, so commands
// never see a driver's codes. Every method that changes something also appends one audit row (for the
// actor the store was opened with) in the same transaction; a no-op writes none.

export const SERVER_STATES = ['enabled', 'cordoned', 'disabled'] as const
export type ServerState = (typeof SERVER_STATES)[number]

export interface Server {
  id: string
  url: string
  secret: string
  tag: string | null
  state: ServerState
  /** null when unknown. */
  load: number | null
  /** null when none is stored (rows written by other programs). */
  loadMultiplier: number | null
  online: boolean
  bbbVersion: string | null
}

export interface NewServer {
  id: string
  url: string
  urlKey: string
  secret: string
  tag: string | null
  /** null: none stored (as for servers Scalelite's servers:addAll made; `import` copies them so). */
  loadMultiplier: number | null
  state: ServerState
}

/** Only the fields present are changed; `tag: null` removes the tag. */
export interface ServerChanges {
  /** Only `servers sync` changes a URL (conflict when another server has it). */
  url?: string
  secret?: string
  tag?: string | null
  loadMultiplier?: number
  state?: ServerState
}

/** A server with the figures of its last successful poll (all null until then), for `servers status`. */
export interface ServerFigures extends Server {
  meetings: number | null
  users: number | null
  largestMeeting: number | null
  videos: number | null
  polledAt: Date | null
}

/** What the poller reads of a server, in the transaction that stores the result of polling it. */
export interface PollState {
  state: ServerState
  online: boolean
  load: number | null
  loadMultiplier: number | null
  healthyCounter: number
  unhealthyCounter: number
}

/** What a poll stores: always the health fields, the figures, version and time only when given. */
export interface PollUpdate {
  state: ServerState
  online: boolean
  /** Stored as null on a disabled server whatever is given. */
  load: number | null
  healthyCounter: number
  unhealthyCounter: number
  figures?: { meetings: number; users: number; largestMeeting: number; videos: number }
  bbbVersion?: string | null
  polledAt?: Date
}

/** One step of a change to many servers at once (`servers sync`, the bulk state changes). */
export type ServerChange =
  | { kind: 'create'; server: NewServer }
  | { kind: 'update'; id: string; changes: ServerChanges }
  /** Conflict while meetings point at the server. */
  | { kind: 'remove'; id: string }

export interface ServerRef {
  id: string
  url: string
}

export interface Meeting {
  id: string
  moderatorPw: string | null
}

export const TENANT_EXTRA_FIELDS = [
  'lrs_endpoint',
  'lrs_username',
  'lrs_password',
  'kc_token_url',
  'kc_client_id',
  'kc_client_secret',
  'kc_username',
  'kc_password',
] as const
export type TenantExtraField = (typeof TENANT_EXTRA_FIELDS)[number]

export interface Tenant {
  id: string
  name: string
  secrets: string
  /** The learning-record-store fields that are set, in TENANT_EXTRA_FIELDS order. */
  extra: Partial<Record<TenantExtraField, string>>
}

export interface TenantChanges {
  name?: string
  secrets?: string
  /** lrs_ and kc_ fields to set; null or an empty string unsets one. */
  extra?: Partial<Record<TenantExtraField, string | null>>
}

/** Who changed the database, for the audit row every changing Store method writes in its own transaction. */
export interface AuditActor {
  /** The operating-system user and host that ran the command. */
  user: string
  host: string
  /** The command path, e.g. `servers update`. */
  action: string
  /** The command line with secrets redacted. */
  command: string
  /** --reason, when given. */
  reason: string | null
}

/** Fields the caller adds to an audit row's before and after (panic: the meetings it ends). */
export interface AuditNote {
  before: Record<string, AuditValue>
  after: Record<string, AuditValue>
}

export type AuditValue = string | number | boolean | null
/** The changed fields of one object; for a change of many servers, one such record per server id (null: absent). */
export type AuditFields = Record<string, AuditValue | Record<string, AuditValue> | null>

export interface AuditEvent {
  id: number
  at: Date
  osUser: string
  host: string
  action: string
  command: string
  objectType: 'server' | 'tenant' | 'tenant_setting' | 'servers'
  objectId: string | null
  /** null before a create and after a delete. */
  before: AuditFields | null
  after: AuditFields | null
  reason: string | null
}

/** Shown in an audit row instead of a secret's value (its key still says it changed). */
export const REDACTED = '[redacted]'
/** Fields whose values never reach the audit table. */
export const SECRET_FIELDS = ['secret', 'secrets', 'lrs_password', 'kc_client_secret', 'kc_password'] as const

/** What `doctor` checks, read in one go without changing anything; judged by src/doctor/checks.ts. */
export interface DoctorFacts {
  /** Where the facts come from: the fixes name SQL statements or Redis keys (with their prefix). */
  where: { kind: 'sqlite' | 'postgres' } | { kind: 'redis'; prefix: string }
  /** Every server, its state as Scalelite reads it (an unknown state word is disabled). */
  servers: { id: string; url: string; tag: string | null; state: ServerState }[]
  /** Meetings whose server_id is null or names no server, found by the database itself. */
  strayMeetings: { id: string; serverId: string | null }[]
  tenants: { id: string; name: string; secrets: string }[]
  tenantSettings: { id: string; tenantId: string; param: string }[]
}

/** A per-tenant BBB create parameter, as Scalelite's TenantSetting: a default, or an override that wins over the request. */
export interface TenantSetting {
  id: string
  tenantId: string
  param: string
  value: string
  override: boolean
}

/** On Redis, Scalelite's own poller polls the servers; ours would race it. */
export const NO_POLL_ON_REDIS = "servers poll is not available on a Redis store: Scalelite's own poller polls these servers"

export interface Store {
  readonly kind: 'sqlite' | 'postgres' | 'redis'

  listServers(): Promise<Server[]>
  findServer(id: string): Promise<Server | null>
  /** id and URL of every server, for resolving a hostname or an id prefix. */
  serverRefs(): Promise<ServerRef[]>
  /** Conflict when the id or the URL is taken (also under a concurrent add). */
  addServer(server: NewServer): Promise<Server>
  /**
   * One transaction. Disabling also forgets the load. Not found when the server is gone. A note adds its
   * fields to the audit row (and makes one even when no server field changes).
   */
  updateServer(id: string, changes: ServerChanges, note?: AuditNote): Promise<Server>
  /** Conflict while meetings point at the server, unless force (then they go in the same transaction). */
  removeServer(id: string, force: boolean): Promise<void>
  /**
   * All the steps in one transaction, in order: any failure (not found, conflict) leaves every server as
   * it was. Returns the created and updated servers, in the order of their steps.
   */
  applyServerChanges(changes: ServerChange[]): Promise<Server[]>
  /** Every server with its poll figures; reads nothing but the database. */
  serverFigures(): Promise<ServerFigures[]>
  /**
   * Stores the result of polling one server in its own short transaction: `compute` gets the server as
   * stored now and returns what to store. False when the server is gone (nothing stored).
   */
  recordPoll(id: string, compute: (current: PollState) => PollUpdate): Promise<boolean>

  meetingsOf(serverId: string): Promise<Meeting[]>
  /** Deletes those of the given meetings that still belong to the server; returns how many. */
  deleteMeetings(serverId: string, meetingIds: string[] | 'all'): Promise<number>

  listTenants(): Promise<Tenant[]>
  /** By id, else by name. */
  findTenant(ref: string): Promise<Tenant | null>
  /** Conflict when the name is taken. */
  addTenant(tenant: { id: string; name: string; secrets: string; extra?: Tenant['extra'] }): Promise<Tenant>
  updateTenant(id: string, changes: TenantChanges): Promise<Tenant>
  /** Deletes the tenant and its settings in the same transaction. */
  deleteTenant(id: string): Promise<void>

  /** Audit rows since the given time (all without one), oldest first. */
  auditEvents(since?: Date): Promise<AuditEvent[]>
  /** Everything `doctor` checks; reads only, in a few queries whatever the number of meetings. */
  doctorFacts(): Promise<DoctorFacts>
  /** The settings of one tenant, or of every tenant; in no particular order. */
  listTenantSettings(tenantId?: string): Promise<TenantSetting[]>
  /** Not found when the tenant is gone; conflict when it has a setting of this param and override already. */
  addTenantSetting(setting: TenantSetting): Promise<TenantSetting>
  /** Not found when there is no setting with this id. */
  removeTenantSetting(id: string): Promise<void>

  close(): Promise<void>
}
