// How each kind of result is shown: the API's JSON with --json, else a table or a record for people.
// Commands hand their result here; one place decides how a server or a tenant looks.
import type { ChalkInstance } from 'chalk'
import type { Server, Tenant } from '../db/store.ts'
import { serverJson } from '../schemas/server.ts'
import { tenantListJson, tenantShowJson } from '../schemas/tenant.ts'
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
    ['url', json.url],
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
