// What an audit row records of a server, a tenant or a tenant setting: the same field names as the
// database columns (and Scalelite's Redis fields), values as the API renders them, secrets redacted.
// The SQL store uses these; the Redis scripts do the same in Lua (redis-scripts.ts, AUDIT).
import { hostname, userInfo } from 'node:os'
import { redactUrl } from '../redact.ts'
import { decimalString } from '../schemas/server.ts'
import { REDACTED, SECRET_FIELDS, TENANT_EXTRA_FIELDS, type AuditActor, type AuditFields, type AuditNote, type AuditValue, type Tenant, type TenantSetting } from './store.ts'

export type Fields = Record<string, AuditValue>

/** The audited fields, in the order the Redis scripts read them. */
export const SERVER_AUDIT_FIELDS = ['url', 'secret', 'tag', 'state', 'load_multiplier'] as const
export const TENANT_AUDIT_FIELDS = ['name', 'secrets', ...TENANT_EXTRA_FIELDS] as const

export function serverFields(s: { url: string; secret: string; tag: string | null; state: string; loadMultiplier: number | null }): Fields {
  return {
    // A password inside the URL is a secret too.
    url: redactUrl(s.url),
    secret: s.secret,
    tag: s.tag || null,
    state: s.state,
    load_multiplier: s.loadMultiplier === null ? null : decimalString(s.loadMultiplier),
  }
}

export function tenantFields(t: Pick<Tenant, 'name' | 'secrets' | 'extra'>): Fields {
  const fields: Fields = { name: t.name, secrets: t.secrets }
  for (const field of TENANT_EXTRA_FIELDS) fields[field] = t.extra[field] ?? null
  return fields
}

export function settingFields(s: TenantSetting): Fields {
  return { tenant_id: s.tenantId, param: s.param, value: s.value, override: s.override }
}

const secret = new Set<string>(SECRET_FIELDS)
const redacted = (fields: Fields): Fields =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, secret.has(k) && v !== null ? REDACTED : v]))

/**
 * The fields that differ, before and after, secrets redacted (compared on their real values first).
 * A create has no before, a delete no after. Null when nothing changed.
 */
export function changed(before: Fields | null, after: Fields | null, note?: AuditNote): { before: Fields | null; after: Fields | null } | null {
  if (before && after) {
    const b: Fields = { ...note?.before }
    const a: Fields = { ...note?.after }
    for (const key of Object.keys(after)) if (before[key] !== after[key]) (b[key] = before[key] ?? null), (a[key] = after[key] ?? null)
    for (const key of Object.keys(a)) if (b[key] === a[key]) delete b[key], delete a[key]
    return Object.keys(a).length === 0 ? null : { before: redacted(b), after: redacted(a) }
  }
  if (!before && !after) return null
  // A create or a delete records the fields that are set.
  const set = (fields: Fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null))
  return { before: before && redacted(set({ ...before, ...note?.before })), after: after && redacted(set({ ...after, ...note?.after })) }
}

/** One row for a change of many servers: their changed fields by id (null where a server did not exist). */
export function manyChanged(entries: { id: string; before: Fields | null; after: Fields | null }[]): { before: AuditFields; after: AuditFields } | null {
  const before: AuditFields = {}
  const after: AuditFields = {}
  for (const entry of entries) {
    const diff = changed(entry.before, entry.after)
    if (!diff) continue
    before[entry.id] = diff.before
    after[entry.id] = diff.after
  }
  return Object.keys(after).length === 0 ? null : { before, after }
}

export const SETTING_AUDIT_FIELDS = ['tenant_id', 'param', 'value', 'override'] as const
const ORDER = [...SERVER_AUDIT_FIELDS, ...TENANT_AUDIT_FIELDS, ...SETTING_AUDIT_FIELDS, 'meetings', 'settings']
const rank = (key: string) => (ORDER.indexOf(key) + ORDER.length + 1) % (ORDER.length + 1)

/** A stored row's fields in one order on every backend (Redis's JSON encoder keeps none): known fields first, ids sorted. */
export function orderedFields(fields: AuditFields | null, many: boolean): AuditFields | null {
  if (fields === null) return null
  const keys = Object.keys(fields).sort((a, b) => (many ? (a < b ? -1 : a > b ? 1 : 0) : rank(a) - rank(b) || (a < b ? -1 : 1)))
  return Object.fromEntries(
    keys.map((k): [string, AuditFields[string]] => {
      const value = fields[k] as AuditFields[string]
      return [k, many && typeof value === 'object' && value !== null ? (orderedFields(value, false) as Record<string, AuditValue>) : value]
    }),
  )
}

/** The actor of a store opened without one (a library caller): this process, no command line. */
export function processActor(action = 'unknown', command = ''): AuditActor {
  let user = process.env.USER ?? process.env.LOGNAME ?? 'unknown'
  try {
    user = userInfo().username
  } catch {
    // No passwd entry for this uid (a container): the environment's name.
  }
  return { user, host: hostname(), action, command, reason: null }
}
