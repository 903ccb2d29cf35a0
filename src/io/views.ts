// How each kind of result is shown: the API's JSON with --json, else a table or a record for people.
// Commands hand their result here; one place decides how a server or a tenant looks.
import type { ChalkInstance } from 'chalk'
import { redactUrl } from '../redact.ts'
import { REDACTED, type AuditEvent, type AuditValue, type Server, type ServerState, type Tenant, type TenantSetting } from '../db/store.ts'
import { auditJson } from '../schemas/audit.ts'
import type { Diagnosis } from '../doctor/checks.ts'
import { exportJson, exportYaml, type exportDocument, type SyncReport } from '../schemas/fleet-file.ts'
import { serverHostname, serverJson } from '../schemas/server.ts'
import type { StatusDocument } from '../schemas/status.ts'
import { tenantListJson, tenantShowJson } from '../schemas/tenant.ts'
import { tenantSettingJson } from '../schemas/tenant-setting.ts'
import type { Cell, Column, Output } from './output.ts'

const STATE_COLOUR: Record<string, (c: ChalkInstance, t: string) => string> = {
  enabled: (c, t) => c.green(t),
  cordoned: (c, t) => c.yellow(t),
  disabled: (c, t) => c.red(t),
}

function serverCells(out: Output, server: Server): [keyof ReturnType<typeof serverJson>, Cell][] {
  const json = serverJson(server)
  return [
    ['id', json.id],
    ['url', out.showSecrets ? json.url : redactUrl(json.url)],
    ['secret', out.secret(json.secret)],
    ['tag', json.tag],
    ['bbb_version', json.bbb_version],
    ['state', { text: json.state, paint: STATE_COLOUR[json.state] }],
    ['load', String(json.load)],
    ['load_multiplier', typeof json.load_multiplier === 'number' ? '1.0' : json.load_multiplier],
    ['online', { text: json.online, paint: (c, t) => (t === 'online' ? c.green(t) : c.dim(t)) }],
  ]
}

const SERVER_COLUMNS: Column[] = [
  { header: 'ID' },
  { header: 'URL' },
  { header: 'SECRET' },
  { header: 'TAG' },
  { header: 'BBB VERSION' },
  { header: 'STATE' },
  { header: 'LOAD', right: true },
  { header: 'MULTIPLIER', right: true },
  { header: 'ONLINE' },
]

export function showServers(out: Output, servers: Server[]): void {
  if (out.json) return out.document(servers.map(serverJson))
  if (servers.length === 0) return out.note('No servers are configured')
  out.table(
    SERVER_COLUMNS,
    servers.map((s) => serverCells(out, s).map(([, cell]) => cell)),
  )
}

export function showServer(out: Output, server: Server): void {
  if (out.json) return out.document(serverJson(server))
  out.record(serverCells(out, server))
}

/** The API's success body, or its text as one line for people. */
export function showSuccess(out: Output, message: string): void {
  if (out.json) return out.document({ success: message })
  out.line(message)
}

function tenantCells(out: Output, tenant: Tenant): [string, Cell][] {
  const secretFields = new Set(['lrs_password', 'kc_client_secret', 'kc_password'])
  return [
    ['id', tenant.id],
    ['name', tenant.name],
    ['secrets', out.secret(tenant.secrets, true)],
    ...Object.entries(tenant.extra).map(([field, value]): [string, Cell] => [field, secretFields.has(field) ? out.secret(value) : value]),
  ]
}

export function showTenants(out: Output, tenants: Tenant[]): void {
  if (out.json) return out.document(tenants.map(tenantListJson))
  if (tenants.length === 0) return out.note('No tenants exist')
  out.table(
    [{ header: 'ID' }, { header: 'NAME' }, { header: 'SECRETS' }],
    tenants.map((t) => tenantCells(out, t).slice(0, 3).map(([, cell]) => cell)),
  )
}

/** One tenant; `json` is the API body of the verb that produced it (show, add and update differ). */
export function showTenant(out: Output, tenant: Tenant, json: (t: Tenant) => unknown = tenantShowJson): void {
  if (out.json) return out.document(json(tenant))
  out.record(tenantCells(out, tenant))
}

/** Tenant settings in the order given: the JSON objects, or `id tenant param value override` rows (the tenant by name). */
export function showTenantSettings(out: Output, rows: { setting: TenantSetting; tenantName: string }[]): void {
  if (out.json) return out.document(rows.map((r) => tenantSettingJson(r.setting)))
  if (rows.length === 0) return out.note('No tenant settings are configured')
  out.table(
    [{ header: 'ID' }, { header: 'TENANT' }, { header: 'PARAM' }, { header: 'VALUE' }, { header: 'OVERRIDE' }],
    rows.map(({ setting, tenantName }) => [setting.id, tenantName, setting.param, setting.value, String(setting.override)]),
  )
}

export function showTenantSetting(out: Output, setting: TenantSetting): void {
  const json = tenantSettingJson(setting)
  if (out.json) return out.document(json)
  out.record(Object.entries(json).map(([field, value]): [string, Cell] => [field, String(value)]))
}

/** A bulk state change: the server objects with --json, else each server with its state before and after. */
export function showStateChanges(out: Output, changes: { previous: ServerState; server: Server }[]): void {
  if (out.json) return out.document(changes.map((c) => serverJson(c.server)))
  out.table(
    [{ header: 'ID' }, { header: 'HOSTNAME' }, { header: 'WAS' }, { header: 'STATE' }],
    changes.map(({ previous, server }) => [
      server.id,
      serverHostname(server.url),
      previous,
      { text: server.state, paint: STATE_COLOUR[server.state] },
    ]),
  )
}

/** How long ago, in the largest whole unit: `42s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86400)}d ago`
}

const STATUS_COLUMNS: Column[] = [
  { header: 'HOSTNAME' },
  { header: 'STATE' },
  { header: 'STATUS' },
  { header: 'MEETINGS', right: true },
  { header: 'USERS', right: true },
  { header: 'LARGEST MEETING', right: true },
  { header: 'VIDEOS', right: true },
  { header: 'LOAD', right: true },
  { header: 'BBB VERSION' },
  { header: 'TAG' },
  { header: 'POLLED' },
]

/** `servers status` (and what `servers poll` stored): Scalelite's status table, the age of each server's figures, the totals. */
export function showStatus(out: Output, status: StatusDocument, now: number): void {
  if (out.json) return out.document(status)
  if (status.servers.length === 0) return out.note('No servers are configured')
  const figure = (value: number | null, stale: boolean): Cell => ({ text: value === null ? '' : String(value), paint: stale ? (c, t) => c.dim(t) : undefined })
  const rows = status.servers.map((s): Cell[] => {
    const polled = s.polled_at === null ? 'never' : ago(now - Date.parse(s.polled_at))
    return [
      s.hostname,
      { text: s.state, paint: STATE_COLOUR[s.state] },
      { text: s.online, paint: (c, t) => (t === 'online' ? c.green(t) : c.red(t)) },
      figure(s.meetings, s.stale),
      figure(s.users, s.stale),
      figure(s.largest_meeting, s.stale),
      figure(s.videos, s.stale),
      figure(s.load, s.stale),
      s.bbb_version,
      s.tag,
      { text: s.stale && s.polled_at !== null ? `${polled} (stale)` : polled, paint: s.stale ? (c, t) => c.yellow(t) : undefined },
    ]
  })
  const t = status.totals
  const footer: Cell[][] = [
    [
      `TOTAL (${t.servers})`,
      `${t.enabled} enabled`,
      `${t.online} online`,
      String(t.meetings),
      String(t.users),
      String(t.largest_meeting),
      String(t.videos),
      String(t.load),
      '',
      '',
      t.stale > 0 ? `${t.stale} stale` : '',
    ],
  ]
  out.table(STATUS_COLUMNS, rows, footer)
}

/** `servers export`: the document as YAML, or as JSON with --format json or --json. */
export function showExport(out: Output, document: ReturnType<typeof exportDocument>, format: 'yaml' | 'json'): void {
  if (format === 'json') return out.line(exportJson(document))
  out.line(exportYaml(document).replace(/\n$/, ''))
}

/** `servers sync`: each server changed (or that would be, with --dry-run). */
export function showSyncReport(out: Output, report: SyncReport): void {
  if (out.json) return out.document(report)
  if (report.changes.length === 0) return out.note(report.dry_run ? 'Nothing would change' : 'Nothing to change')
  out.table(
    [{ header: 'ID' }, { header: 'CHANGE' }, { header: 'FIELDS' }, { header: 'STATE' }, { header: 'IN FILE' }, { header: 'MEETINGS', right: true }],
    report.changes.map((c) => [
      c.id,
      c.change,
      c.fields.join(','),
      c.state === null ? '' : { text: c.state, paint: STATE_COLOUR[c.state] },
      c.in_file ? 'yes' : 'no',
      String(c.meetings),
    ]),
  )
}

const isRecord = (v: unknown): v is Record<string, AuditValue> => typeof v === 'object' && v !== null

/** One object's change in a few words: `tag: (none) → t1, secret changed`, `created (url=…)`, `removed`. */
function describeChange(before: Record<string, AuditValue> | null, after: Record<string, AuditValue> | null): string {
  const show = (v: AuditValue) => (v === null ? '(none)' : String(v))
  const listed = (fields: Record<string, AuditValue>) =>
    Object.entries(fields)
      .filter(([, v]) => v !== null && v !== REDACTED)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(', ')
  if (!before) return `created (${listed(after ?? {})})`
  if (!after) return before.meetings ? `removed with ${before.meetings} meeting rows` : 'removed'
  return Object.keys(after)
    .map((k) => (after[k] === REDACTED || before[k] === REDACTED ? `${k} changed` : `${k}: ${show(before[k] ?? null)} → ${show(after[k] ?? null)}`))
    .join(', ')
}

function auditChanges(event: AuditEvent): string {
  if (event.objectType !== 'servers') return describeChange(event.before as Record<string, AuditValue> | null, event.after as Record<string, AuditValue> | null)
  const ids = [...new Set([...Object.keys(event.before ?? {}), ...Object.keys(event.after ?? {})])]
  return ids
    .map((id) => {
      const side = (fields: AuditEvent['before']) => (isRecord(fields?.[id]) ? (fields?.[id] as Record<string, AuditValue>) : null)
      return `${id}: ${describeChange(side(event.before), side(event.after))}`
    })
    .join('; ')
}

/** The audit trail: the rows as stored with --json, else one line per row for people. */
export function showAudit(out: Output, events: AuditEvent[]): void {
  if (out.json) return out.document(events.map(auditJson))
  if (events.length === 0) return out.note('No audit events')
  out.table(
    [{ header: 'ID', right: true }, { header: 'TIME (UTC)' }, { header: 'BY' }, { header: 'ACTION' }, { header: 'OBJECT' }, { header: 'CHANGES' }, { header: 'REASON' }],
    events.map((e) => [
      String(e.id),
      e.at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''),
      `${e.osUser}@${e.host}`,
      e.action,
      e.objectId === null ? e.objectType : `${e.objectType} ${e.objectId}`,
      auditChanges(e),
      e.reason ?? '',
    ]),
  )
}

/** `doctor`: the document with --json; else one line per problem and a summary line. */
export function showDiagnosis(out: Output, diagnosis: Diagnosis): void {
  if (out.json) return out.document(diagnosis)
  const n = diagnosis.problems.length
  for (const p of diagnosis.problems) out.cells([{ text: p.check, paint: (c, t) => c.yellow(t) }, `: ${p.message}. `, { text: 'Fix:', paint: (c, t) => c.bold(t) }, ` ${p.fix}`])
  if (n === 0) out.cells([{ text: 'No problems found', paint: (c, t) => c.green(t) }])
  else out.cells([{ text: `${n} problem${n === 1 ? '' : 's'} found`, paint: (c, t) => c.red(t) }])
}
