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
        if (duration) return new Date(now - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number))
        const date = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim()) ? new Date(raw.trim()) : null
        if (date && !Number.isNaN(date.getTime())) return date
        ctx.addIssue({ code: 'custom', message: `--since must be a duration such as 30m, 2h or 7d, or a date such as 2026-12-01, not '${raw}'` })
        return z.NEVER
      }),
    server: z.string().optional(),
    tenant: z.string().optional(),
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

/** Whether a row concerns the tenant: by id, by a name it recorded, or as one of its settings. */
export function concernsTenant(event: AuditEvent, ids: Set<string>, name: string): boolean {
  if (event.objectType === 'tenant') return records(event).some(({ id, fields }) => (id !== null && ids.has(id)) || fields.name === name)
  if (event.objectType === 'tenant_setting') return records(event).some(({ fields }) => typeof fields.tenant_id === 'string' && ids.has(fields.tenant_id))
  return false
}
