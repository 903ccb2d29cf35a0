// The input of `audit` (--since) and the JSON of an audit row; which rows concern a server or a tenant.
import { z } from 'zod'
import type { AuditEvent, AuditFields, AuditValue } from '../db/store.ts'
import { serverHostname } from './server.ts'

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** --since: a duration back from now (`90s`, `30m`, `2h`, `7d`, `2w`) or a date/time (`2026-12-01`, ISO 8601). */
export function auditSchema(now: number) {
  return z.object({
    since: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined
        const duration = /^\s*(\d+)\s*([smhdw])\s*$/.exec(raw)
        const text = raw.trim()
        const date = duration
          ? new Date(now - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number))
          : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
            ? new Date(text)
            : null
        // Out of range (99999999999d), or a day that does not exist (2026-02-30, which Date rolls over).
        const exists = date !== null && !Number.isNaN(date.getTime()) && (duration !== null || text.length > 10 || date.toISOString().startsWith(text))
        if (exists) return date
        ctx.addIssue({ code: 'custom', message: `--since must be a duration such as 30m, 2h or 7d, or a date such as 2026-12-01, not '${raw}'` })
        return z.NEVER
      }),
    server: z.string().optional().refine((v) => v === undefined || v.trim() !== '', '--server needs a server: its id, hostname or id prefix'),
    tenant: z.string().optional().refine((v) => v === undefined || v.trim() !== '', '--tenant needs a tenant: its id or name'),
  })
}

export function auditJson(event: AuditEvent) {
  return {
    id: event.id,
    at: event.at.toISOString(),
    os_user: event.osUser,
    host: event.host,
    action: event.action,
    command: event.command,
    object_type: event.objectType,
    object_id: event.objectId,
    before: event.before,
    after: event.after,
    reason: event.reason,
  }
}

/** The per-object field records of a row: one for a single object, one per server id for `servers`. */
function records(event: AuditEvent): { id: string | null; fields: Record<string, AuditValue> }[] {
  const out: { id: string | null; fields: Record<string, AuditValue> }[] = []
  const add = (id: string | null, fields: AuditFields | Record<string, AuditValue> | null | undefined) => {
    if (fields) out.push({ id, fields: fields as Record<string, AuditValue> })
  }
  if (event.objectType !== 'servers') {
    add(event.objectId, event.before)
    add(event.objectId, event.after)
    if (!event.before && !event.after) out.push({ id: event.objectId, fields: {} })
    return out
  }
  for (const side of [event.before, event.after])
    for (const [id, fields] of Object.entries(side ?? {})) add(id, fields as Record<string, AuditValue> | null)
  return out
}

/**
 * The rows about a server: by its id, and by every id that a recorded URL with its hostname had, so
 * a removed server is still found by its hostname (and what changed without its URL, by its id).
 */
export function rowsOfServer(events: AuditEvent[], ids: Set<string>, hostname: string): AuditEvent[] {
  const host = hostname.toLowerCase()
  const servers = events.filter((e) => e.objectType === 'server' || e.objectType === 'servers')
  const known = new Set(ids)
  for (const event of servers)
    for (const { id, fields } of records(event)) if (id !== null && typeof fields.url === 'string' && serverHostname(fields.url).toLowerCase() === host) known.add(id)
  return servers.filter((e) => records(e).some(({ id }) => id !== null && known.has(id)))
}

/** Ids of the objects of a kind that rows recorded (for a server or tenant that is gone). */
export function recordedIds(events: AuditEvent[], kind: 'server' | 'tenant'): Set<string> {
  const ids = new Set<string>()
  for (const event of events)
    if (event.objectType === kind || (kind === 'server' && event.objectType === 'servers'))
      for (const { id } of records(event)) if (id !== null) ids.add(id)
  return ids
}

/** Ids of the tenants that rows recorded under this name (a former name, or a tenant that is gone). */
export function tenantIdsNamed(events: AuditEvent[], name: string): Set<string> {
  const ids = new Set<string>()
  for (const event of events)
    if (event.objectType === 'tenant') for (const { id, fields } of records(event)) if (id !== null && fields.name === name) ids.add(id)
  return ids
}

/** The rows about these tenants: their own, and those of their settings. */
export function rowsOfTenants(events: AuditEvent[], ids: Set<string>): AuditEvent[] {
  return events.filter((event) => {
    if (event.objectType === 'tenant') return event.objectId !== null && ids.has(event.objectId)
    if (event.objectType === 'tenant_setting') return records(event).some(({ fields }) => typeof fields.tenant_id === 'string' && ids.has(fields.tenant_id))
    return false
  })
}
