// The one interface every command talks to. The SQL implementation (Prisma, SQLite or PostgreSQL) is
// in sql-store.ts; implementations map their own failures to the errors of src/errors.ts, so commands
// never see a driver's codes.

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
  loadMultiplier: number
  state: ServerState
}

/** Only the fields present are changed; `tag: null` removes the tag. */
export interface ServerChanges {
  secret?: string
  tag?: string | null
  loadMultiplier?: number
  state?: ServerState
}

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
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres'

  listServers(): Promise<Server[]>
  findServer(id: string): Promise<Server | null>
  /** id and URL of every server, for resolving a hostname or an id prefix. */
  serverRefs(): Promise<ServerRef[]>
  /** Conflict when the id or the URL is taken (also under a concurrent add). */
  addServer(server: NewServer): Promise<Server>
  /** One transaction. Disabling also forgets the load. Not found when the server is gone. */
  updateServer(id: string, changes: ServerChanges): Promise<Server>
  /** Conflict while meetings point at the server, unless force (then they go in the same transaction). */
  removeServer(id: string, force: boolean): Promise<void>

  meetingsOf(serverId: string): Promise<Meeting[]>
  /** Deletes those of the given meetings that still belong to the server; returns how many. */
  deleteMeetings(serverId: string, meetingIds: string[] | 'all'): Promise<number>

  listTenants(): Promise<Tenant[]>
  /** By id, else by name. */
  findTenant(ref: string): Promise<Tenant | null>
  /** Conflict when the name is taken. */
  addTenant(tenant: { id: string; name: string; secrets: string }): Promise<Tenant>
  updateTenant(id: string, changes: TenantChanges): Promise<Tenant>
  deleteTenant(id: string): Promise<void>

  close(): Promise<void>
}
