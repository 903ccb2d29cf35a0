// Scalelite's Redis key names, built in one place. Only key names carry the namespace prefix
// (`<ns>:`, none when REDIS_NAMESPACE is empty), as redis-namespace applies it; set members,
// sorted-set members and hash values (server ids, meeting ids in voice_bridges) stay bare.

/** Scalelite's default namespace (its Docker image runs in production). */
export const DEFAULT_NAMESPACE = 'scalelite'

/** REDIS_NAMESPACE: unset means Scalelite's default; an empty value means no prefix at all. */
export function namespaceOf(env: Record<string, string | undefined>): string {
  return env.REDIS_NAMESPACE ?? DEFAULT_NAMESPACE
}

export interface Keyspace {
  /** `<ns>:`, or '' without a namespace; Lua scripts get it to build per-id key names. */
  prefix: string
  servers: string
  server(id: string): string
  serverEnabled: string
  serverLoad: string
  cordonedLoad: string
  /** The poller's healthy/unhealthy counters, stored under the bare server id. */
  counters(id: string): string
  meetings: string
  meeting(id: string): string
  voiceBridges: string
  tenants: string
  tenant(id: string): string
  tenantName(name: string): string
  /** Ours, not Scalelite's: the audit trail, a list of JSON rows (Scalelite never reads it). */
  auditEvents: string
  /** A tenant setting's hash (Scalelite's TenantSetting). */
  tenantSetting(id: string): string
  /** The set of a tenant's setting ids. */
  tenantSettings(tenantId: string): string
}

export function keyspace(namespace: string): Keyspace {
  const p = namespace === '' ? '' : `${namespace}:`
  return {
    prefix: p,
    servers: `${p}servers`,
    server: (id) => `${p}server:${id}`,
    serverEnabled: `${p}server_enabled`,
    serverLoad: `${p}server_load`,
    cordonedLoad: `${p}cordoned_server_load`,
    counters: (id) => `${p}${id}`,
    meetings: `${p}meetings`,
    meeting: (id) => `${p}meeting:${id}`,
    voiceBridges: `${p}voice_bridges`,
    tenants: `${p}tenants`,
    tenant: (id) => `${p}tenant:${id}`,
    tenantName: (name) => `${p}tenant_name:${name}`,
    auditEvents: `${p}audit_events`,
    tenantSettings: (tenantId) => `${p}tenant_settings:${tenantId}`,
    tenantSetting: (id) => `${p}tenant_setting:${id}`,
  }
}

const RESERVED = new Set(['servers', 'server_enabled', 'server_load', 'cordoned_server_load', 'meetings', 'voice_bridges', 'tenants', 'audit_events'])

/**
 * Whether a server id would collide with one of Scalelite's own keys: the poller keeps its counters at
 * `<ns>:<id>`, so an id such as `servers` or `meeting:x` would share a key with Scalelite's data.
 */
export function collidesWithScaleliteKey(id: string): boolean {
  return RESERVED.has(id) || id.includes(':')
}
