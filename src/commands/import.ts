import type { Command } from 'commander'
import { databaseUrl } from '../config.ts'
import type { Server, Store, Tenant, TenantChanges, ServerChanges } from '../db/store.ts'
import { TENANT_EXTRA_FIELDS } from '../db/store.ts'
import { ConflictError, UsageError } from '../errors.ts'
import { redactUrl } from '../redact.ts'
import { serverUrlKey } from '../schemas/server.ts'
import { REASON, action, examples } from './context.ts'

export interface ImportReport {
  added: string[]
  updated: string[]
  unchanged: string[]
}

interface Outcome {
  servers: ImportReport
  tenants: ImportReport
  /** One line per server or tenant that could not be copied (a URL or name taken by another id). */
  conflicts: string[]
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .summary("copy a live Scalelite's servers and tenants from its Redis into the SQL database")
    .description(
      "Copy the servers (URL, secret, tag, load multiplier, state) and the tenants (name, secrets, lrs_/kc_ fields) of a live " +
        "Scalelite's Redis into the SQL database of DATABASE_URL (or --database-url), keeping their ids. Servers and tenants " +
        'already there are brought up to date; running it again changes nothing. Meetings and poll figures are not copied. ' +
        'REDIS_NAMESPACE and --redis-ca apply to the Redis URL.',
    )
    .argument('<redis-url>', 'the Scalelite Redis: redis://…, rediss://… or unix:///path/to/redis.sock')
    .option(...REASON)
    .addHelpText(
      'after',
      examples(
        'DATABASE_URL=postgresql://scalelite@db/scalelite scalelite-admin import redis://:password@redis.example.com:6379',
        'REDIS_NAMESPACE=scalelite scalelite-admin --database-url file:/var/lib/scalelite-admin/fleet.db import redis://127.0.0.1:6379 --json',
      ),
    )
    .action(
      action(async (ctx, redisUrl: string) => {
        const { providerOf } = await import('../db/index.ts')
        if (providerOf(databaseUrl(ctx.options.databaseUrl, ctx.env).url) === 'redis')
          throw new UsageError('import copies into a SQL database: set DATABASE_URL or --database-url to file:PATH or postgresql://…, not a Redis URL')
        if (providerOf(redisUrl) !== 'redis') throw new UsageError(`import reads a Scalelite's Redis: give a redis://, rediss:// or unix:// URL, not '${redactUrl(redisUrl)}'`)

        const source = await ctx.open(redisUrl)
        let outcome: Outcome
        try {
          const [servers, tenants] = [await source.listServers(), await source.listTenants()]
          outcome = await copyInto(await ctx.store(), servers, tenants)
        } finally {
          await source.close()
        }

        for (const conflict of outcome.conflicts) ctx.out.warn(conflict)
        if (outcome.conflicts.length > 0)
          throw new ConflictError(`${outcome.conflicts.length} of the servers and tenants were not imported; the others were`)
        if (ctx.json) return ctx.out.document({ servers: outcome.servers, tenants: outcome.tenants })
        for (const [kind, report] of [['servers', outcome.servers], ['tenants', outcome.tenants]] as const)
          ctx.out.line(`${kind}: ${report.added.length} added, ${report.updated.length} updated, ${report.unchanged.length} unchanged`)
      }),
    )
}

const report = (): ImportReport => ({ added: [], updated: [], unchanged: [] })

/** Adds what is missing and updates what differs, one server or tenant at a time. */
async function copyInto(target: Store, servers: Server[], tenants: Tenant[]): Promise<Outcome> {
  const outcome: Outcome = { servers: report(), tenants: report(), conflicts: [] }
  const conflict = async (work: () => Promise<void>) => {
    try {
      await work()
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e
      outcome.conflicts.push(e.message)
    }
  }

  for (const s of [...servers].sort((a, b) => (a.id < b.id ? -1 : 1)))
    await conflict(async () => {
      const current = await target.findServer(s.id)
      if (!current) {
        const { id, url, secret, tag, loadMultiplier, state } = s
        await target.addServer({ id, url, urlKey: serverUrlKey(url), secret, tag, loadMultiplier, state })
        return void outcome.servers.added.push(s.id)
      }
      const changes: ServerChanges = {}
      if (current.url !== s.url) changes.url = s.url
      if (current.secret !== s.secret) changes.secret = s.secret
      if ((current.tag ?? null) !== (s.tag ?? null)) changes.tag = s.tag
      if (s.loadMultiplier !== null && current.loadMultiplier !== s.loadMultiplier) changes.loadMultiplier = s.loadMultiplier
      if (current.state !== s.state) changes.state = s.state
      if (Object.keys(changes).length === 0) return void outcome.servers.unchanged.push(s.id)
      await target.updateServer(s.id, changes)
      outcome.servers.updated.push(s.id)
    })

  for (const t of [...tenants].sort((a, b) => (a.id < b.id ? -1 : 1)))
    await conflict(async () => {
      const found = await target.findTenant(t.id)
      const current = found?.id === t.id ? found : null
      if (!current) {
        await target.addTenant({ id: t.id, name: t.name, secrets: t.secrets, extra: t.extra })
        return void outcome.tenants.added.push(t.id)
      }
      const changes: TenantChanges = {}
      if (current.name !== t.name) changes.name = t.name
      if (current.secrets !== t.secrets) changes.secrets = t.secrets
      const extra: NonNullable<TenantChanges['extra']> = {}
      for (const field of TENANT_EXTRA_FIELDS) if ((current.extra[field] ?? null) !== (t.extra[field] ?? null)) extra[field] = t.extra[field] ?? null
      if (Object.keys(extra).length > 0) changes.extra = extra
      if (Object.keys(changes).length === 0) return void outcome.tenants.unchanged.push(t.id)
      await target.updateTenant(t.id, changes)
      outcome.tenants.updated.push(t.id)
    })
  return outcome
}
