import type { Command } from 'commander'
import type { AuditEvent, Store } from '../db/store.ts'
import { NotFoundError, serverNotFound, tenantNotFound, UsageError } from '../errors.ts'
import { showAudit } from '../io/views.ts'
import { auditSchema, recordedIds, rowsOfServer, rowsOfTenants, tenantIdsNamed } from '../schemas/audit.ts'
import { parseInput } from '../schemas/parse.ts'
import { serverHostname } from '../schemas/server.ts'
import { action, examples } from './context.ts'
import { MIN_PREFIX, resolveServer, resolveTenant } from './resolve.ts'

interface Options {
  server?: string
  tenant?: string
  since?: string
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .summary('who changed what: the audit trail of every changing command')
    .description(
      'List the audit trail, oldest first: one row per command that changed the database (one per server or tenant ' +
        'for import, plus one per server that sync --mode force removes), with the time, the operating-system user and ' +
        'host, the command line (secrets redacted), the object, its changed fields before and after, and the --reason ' +
        'given. --server and --tenant also find rows of servers and tenants that no longer exist, by id, hostname or name.',
    )
    .option('--server <server>', 'only rows about this server: id, hostname or unique id prefix')
    .option('--tenant <tenant>', 'only rows about this tenant (and its settings): id or name')
    .option('--since <when>', 'only rows since then: a duration back from now (30m, 2h, 7d) or a date (2026-12-01)')
    .addHelpText(
      'after',
      examples('scalelite-admin audit --since 2h', 'scalelite-admin audit --server bbb1.example.com --json | jq \'.[] | {at, os_user, after}\''),
    )
    .action(
      action(async (ctx, options: Options) => {
        const filter = parseInput(auditSchema(Date.now()), options)

        const store = await ctx.store()
        let events = await store.auditEvents(filter.since)
        if (filter.server !== undefined) events = await rowsAboutServer(store, events, filter.server)
        if (filter.tenant !== undefined) events = await rowsAboutTenant(store, events, filter.tenant)

        showAudit(ctx.out, events)
      }),
    )
}

const unlessNotFound = <T>(promise: Promise<T>) => promise.catch((e: unknown) => (e instanceof NotFoundError ? null : Promise.reject(e)))

/**
 * A server of the database by its id, hostname or id prefix; else one the trail knows: by its id,
 * the hostname its URL had, or a unique prefix of its id. Not found when neither knows it.
 */
async function rowsAboutServer(store: Store, events: AuditEvent[], ref: string): Promise<AuditEvent[]> {
  const server = await unlessNotFound(resolveServer(store, ref))
  if (server) return rowsOfServer(events, new Set([server.id]), serverHostname(server.url))
  const rows = rowsOfServer(events, new Set([ref]), ref)
  if (rows.length > 0) return rows
  const ids = ref.length >= MIN_PREFIX ? [...recordedIds(events, 'server')].filter((id) => id.toLowerCase().startsWith(ref.toLowerCase())) : []
  if (ids.length > 1) throw new UsageError(`Server '${ref}' is ambiguous; in the audit trail it matches ${ids.sort().join(', ')}`)
  if (ids.length === 0) throw serverNotFound(ref)
  return rowsOfServer(events, new Set(ids), ids[0] as string)
}

/** A tenant of the database by id or name (its rows under any name); else every tenant the trail recorded under that id or name. */
async function rowsAboutTenant(store: Store, events: AuditEvent[], ref: string): Promise<AuditEvent[]> {
  const tenant = await unlessNotFound(resolveTenant(store, ref))
  if (tenant) return rowsOfTenants(events, new Set([tenant.id]))
  const ids = tenantIdsNamed(events, ref)
  if (recordedIds(events, 'tenant').has(ref)) ids.add(ref)
  if (ids.size === 0) throw tenantNotFound(ref)
  return rowsOfTenants(events, ids)
}
