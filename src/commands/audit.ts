import type { Command } from 'commander'
import { NotFoundError } from '../errors.ts'
import { showAudit } from '../io/views.ts'
import { auditSchema, concernsTenant, rowsOfServer } from '../schemas/audit.ts'
import { parseInput } from '../schemas/parse.ts'
import { action, examples } from './context.ts'
import { resolveServer, resolveTenant } from './resolve.ts'

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
        if (filter.server !== undefined) {
          const ref = filter.server
          const ids = new Set([ref])
          const server = await resolveServer(store, ref).catch((e: unknown) => (e instanceof NotFoundError ? null : Promise.reject(e)))
          if (server) ids.add(server.id)
          const { serverHostname } = await import('../schemas/server.ts')
          events = rowsOfServer(events, ids, server ? serverHostname(server.url) : ref)
        }
        if (filter.tenant !== undefined) {
          const ref = filter.tenant
          const tenant = await resolveTenant(store, ref).catch((e: unknown) => (e instanceof NotFoundError ? null : Promise.reject(e)))
          events = events.filter((e) => concernsTenant(e, new Set(tenant ? [tenant.id, ref] : [ref]), tenant?.name ?? ref))
        }

        showAudit(ctx.out, events)
      }),
    )
}
