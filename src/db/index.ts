// The only way into a database: pick the provider from the URL, bring the schema up to date (one cheap
// read when it already is), and hand back a Store. Prisma and the drivers are loaded here, lazily, so
// commands that never touch the database (--help) never pay for them.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FatalError, UsageError } from '../errors.ts'
import { redactUrl, registerSecret } from '../redact.ts'
import { loadMigrations, migratePostgres, migrateSqlite } from './migrate.ts'
import type { Db } from './sql-store.ts'
import type { AuditActor, Store } from './store.ts'

export type Provider = 'sqlite' | 'postgres' | 'redis'

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres'
  if (url.startsWith('file:')) return 'sqlite'
  // A live Scalelite's own Redis; unix:///path/to/redis.sock as Scalelite's redis-rb takes it.
  if (/^(rediss?|unix):\/\//i.test(url)) return 'redis'
  throw new UsageError(`Unsupported database URL '${redactUrl(url)}': use file:PATH, postgresql://… or redis://…`)
}

const migrationsDir = (provider: Provider) => fileURLToPath(new URL(`../../prisma/${provider}/migrations/`, import.meta.url))

/** `file:PATH`, `file:///abs/path` → the file system path. */
export function sqlitePath(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url.split('?')[0] as string)
  return (url.slice('file:'.length).split('?')[0] as string) || '.'
}

/** SQLite busy timeout: a command waits this long for another process's write instead of failing. */
const SQLITE_BUSY_MS = 30_000
/**
 * How long to wait for PostgreSQL to accept a connection, so cron never hangs: the URL's
 * `connect_timeout` (seconds, as libpq), else PGCONNECT_TIMEOUT, else 10 s.
 */
export function pgConnectTimeoutMs(url: URL | null, env: Record<string, string | undefined>): number {
  const raw = url?.searchParams.get('connect_timeout') ?? env.PGCONNECT_TIMEOUT
  const seconds = raw === undefined || raw === null || raw === '' ? 10 : Number(raw)
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`connect_timeout must be a number of seconds above 0, not '${raw}'`)
  return seconds * 1000
}

export interface OpenOptions {
  /** --redis-ca: the CA file for a rediss:// URL. */
  redisCa?: string
  /** Where the store's warnings go (stderr, as `warning:` lines). */
  warn?: (message: string) => void
  /** SQLite: create the file's folder when missing (the default database only; a typo in a path given
   * by the operator must not quietly make an empty fleet somewhere else). */
  createFolder?: boolean
  /** Who is changing the database, for the audit rows (default: this process, no command line). */
  actor?: AuditActor
}

export async function openStore(url: string, env: Record<string, string | undefined> = process.env, options: OpenOptions = {}): Promise<Store> {
  const provider = providerOf(url)
  if (provider === 'redis') return openRedis(url, env, options)
  const { SqlStore } = await import('./sql-store.ts')
  if (provider === 'sqlite') return new SqlStore(await openSqlite(url, options.createFolder === true), 'sqlite', options.actor)
  return new SqlStore(await openPostgres(url, env), 'postgres', options.actor)
}

/** ioredis, the key layout and the scripts load only here: the SQL path never pays for them. */
async function openRedis(url: string, env: Record<string, string | undefined>, options: OpenOptions): Promise<Store> {
  const [{ connectRedis }, { RedisStore }, { namespaceOf }] = await Promise.all([import('./redis-connect.ts'), import('./redis-store.ts'), import('./redis-keys.ts')])
  const client = await connectRedis(url, { caFile: options.redisCa, warn: options.warn })
  return new RedisStore(client, namespaceOf(env), options.warn, options.actor)
}

/**
 * WAL: readers never wait for a writer, and writers queue on the busy timeout. Switching a file made in
 * another journal mode needs it alone, and SQLite answers "database is locked" at once (the busy
 * timeout does not cover it) while other processes switching at the same moment hold it: wait for them.
 */
function useWal(db: { pragma(sql: string, options?: { simple: boolean }): unknown }): void {
  const deadline = Date.now() + SQLITE_BUSY_MS
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
      return
    } catch (e) {
      if (!/^SQLITE_BUSY/.test((e as { code?: string }).code ?? '') || Date.now() > deadline) throw e
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40)
    }
  }
}

async function openSqlite(url: string, createFolder: boolean): Promise<Db> {
  const file = sqlitePath(url)
  const [{ default: Database }, { PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([
    import('better-sqlite3'),
    import('../generated/sqlite/client.ts'),
    import('@prisma/adapter-better-sqlite3'),
  ])

  try {
    if (!existsSync(file)) {
      if (!createFolder && !existsSync(path.dirname(path.resolve(file))))
        throw new FatalError(`cannot create the SQLite database ${file}: the folder ${path.dirname(path.resolve(file))} does not exist`)
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      // The database holds BBB secrets: readable by its owner only.
      closeSync(openSync(file, 'a', 0o600))
    }
    const db = new Database(file, { timeout: SQLITE_BUSY_MS })
    try {
      useWal(db)
      migrateSqlite(db, loadMigrations(migrationsDir('sqlite')))
    } finally {
      db.close()
    }
  } catch (e) {
    if (e instanceof FatalError) throw e
    throw new FatalError(`cannot open the SQLite database ${file}: ${(e as Error).message}`)
  }

  const factory = new PrismaBetterSqlite3({ url: `file:${file}`, timeout: SQLITE_BUSY_MS })
  const connect = factory.connect.bind(factory)
  // The adapter opens transactions with a deferred BEGIN; a transaction that reads and then writes
  // would then fail with "database is locked" at once when another process writes, busy timeout or
  // not. BEGIN IMMEDIATE takes the write lock up front, so concurrent commands queue instead.
  factory.connect = async () => {
    const adapter = await connect()
    const client = (adapter as unknown as { client: { prepare(sql: string): unknown } }).client
    const prepare = client.prepare.bind(client)
    client.prepare = (sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql)
    return adapter
  }
  return new PrismaClient({ adapter: factory })
}

async function openPostgres(url: string, env: Record<string, string | undefined>): Promise<Db> {
  const parsed = safeUrl(url)
  registerSecret(parsed?.password ? decodeURIComponent(parsed.password) : undefined)
  registerSecret(env.PGPASSWORD)
  const connectMs = pgConnectTimeoutMs(parsed, env)
  const [{ default: pg }, { PrismaClient }, { PrismaPg }] = await Promise.all([
    import('pg'),
    import('../generated/postgres/client.ts'),
    import('@prisma/adapter-pg'),
  ])

  // One pool for the schema check and for Prisma: the connection opened for the check is the one the
  // first query reuses.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: connectMs })
  pool.on('error', () => {}) // an idle connection dropped by the server is not worth a crash
  try {
    const client = await pool.connect()
    try {
      await migratePostgres(client, loadMigrations(migrationsDir('postgres')))
    } finally {
      client.release()
    }
  } catch (e) {
    await pool.end().catch(() => {})
    throw e instanceof FatalError ? e : new FatalError(describePgError(e, parsed))
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) })
  return prisma as unknown as Db
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** One line naming the server and the cause, never the password. */
export function describePgError(e: unknown, url: URL | null): string {
  const where = url ? `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}` : 'the configured server'
  const err = e as { code?: string; message?: string }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    '28P01': 'password authentication failed',
    '28000': 'access refused',
    '3D000': 'database does not exist',
  }
  const reason =
    (err.code && reasons[err.code]) ??
    (/timeout/i.test(err.message ?? '') ? 'connection timed out' : (err.message ?? String(e)).split('\n')[0])
  return `cannot connect to PostgreSQL at ${where}: ${reason}`
}
