// Applies prisma/<provider>/migrations/*/migration.sql in name order and records each in Prisma's own
// `_prisma_migrations` table (same DDL, sha256 checksums), so `prisma migrate status` on a machine with
// the native engine agrees with what this tool did. See ../shared/notes/prisma-offline.md §1c.
//
// Unlike Prisma on SQLite, the pending migrations run inside one BEGIN IMMEDIATE transaction with
// foreign keys switched off around it (SQLite's documented way to redefine tables): many processes
// starting at once on a new file wait for each other instead of racing, and a failed migration
// leaves the database as it was.
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import { FatalError } from '../errors.ts'

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export function loadMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

interface Row {
  migration_name: string
  finished_at: unknown
  rolled_back_at: unknown
}

/** The migrations still to apply; refuses, like Prisma's P3009, while a failed one is recorded. */
function pending(migrations: Migration[], rows: Row[]): Migration[] {
  const failed = rows.filter((r) => r.finished_at == null && r.rolled_back_at == null)
  if (failed.length > 0)
    throw new FatalError(
      `migration ${failed.map((r) => r.migration_name).join(', ')} failed earlier; repair the database, ` +
        'then mark it with `prisma migrate resolve` before running scalelite-admin again',
    )
  const done = new Set(rows.filter((r) => r.rolled_back_at == null).map((r) => r.migration_name))
  return migrations.filter((m) => !done.has(m.name))
}

// Prisma writes SQLite timestamps as RFC 3339 text with "+00:00".
const sqliteNow = () => new Date().toISOString().replace('Z', '+00:00')

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);`

const SELECT_ROWS = 'SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"'

function sqliteRows(db: BetterSqlite3.Database): Row[] | null {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get()
  return table ? (db.prepare(SELECT_ROWS).all() as Row[]) : null
}

/** Returns the names of the migrations it applied (none when the schema is current: one cheap read). */
export function migrateSqlite(db: BetterSqlite3.Database, migrations: Migration[]): string[] {
  if (current(migrations, sqliteRows(db))) return []

  db.pragma('foreign_keys = OFF')
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec(SQLITE_TABLE)
    // Read again under the write lock: another process may have migrated while we waited.
    const todo = pending(migrations, sqliteRows(db) ?? [])
    for (const m of todo) {
      const id = randomUUID()
      db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name) VALUES (?, ?, ?, ?)').run(id, m.checksum, sqliteNow(), m.name)
      db.exec(m.sql)
      db.prepare('UPDATE "_prisma_migrations" SET applied_steps_count = 1, finished_at = ? WHERE id = ?').run(sqliteNow(), id)
    }
    const broken = db.pragma('foreign_key_check') as unknown[]
    if (broken.length > 0) throw new Error(`${broken.length} rows would break a foreign key`)
    db.exec('COMMIT')
    return todo.map((m) => m.name)
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw e instanceof FatalError ? e : new FatalError(`database migration failed, nothing was changed: ${(e as Error).message}`)
  } finally {
    db.pragma('foreign_keys = ON')
  }
}

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`

/** Prisma Migrate's advisory lock key, so this runner and `prisma migrate` never run at once. */
const PRISMA_ADVISORY_LOCK = 72707369

async function pgRows(client: pg.ClientBase): Promise<Row[] | null> {
  const { rows } = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`)
  return rows[0].present ? (await client.query<Row>(SELECT_ROWS)).rows : null
}

/** True when every migration is recorded as finished: nothing to do, no lock needed. */
function current(migrations: Migration[], rows: Row[] | null): boolean {
  if (!rows || rows.some((r) => r.finished_at == null && r.rolled_back_at == null)) return false
  const done = new Set(rows.filter((r) => r.rolled_back_at == null).map((r) => r.migration_name))
  return migrations.every((m) => done.has(m.name))
}

export async function migratePostgres(client: pg.ClientBase, migrations: Migration[]): Promise<string[]> {
  // Without the lock an unfinished row may be another process migrating right now; only under the
  // lock does an unfinished row mean a migration that failed.
  if (current(migrations, await pgRows(client))) return []

  await client.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK})`)
  try {
    await client.query(PG_TABLE)
    const todo = pending(migrations, (await pgRows(client)) ?? [])
    for (const m of todo) {
      const id = randomUUID()
      await client.query('INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)', [id, m.checksum, m.name])
      try {
        // Simple-query protocol: the whole script is one implicit transaction, as with Prisma.
        await client.query(m.sql)
      } catch (e) {
        await client.query('UPDATE "_prisma_migrations" SET logs = $1 WHERE id = $2', [String((e as Error).message), id])
        throw new FatalError(`database migration ${m.name} failed: ${(e as Error).message}`)
      }
      await client.query('UPDATE "_prisma_migrations" SET applied_steps_count = 1, finished_at = now() WHERE id = $1', [id])
    }
    return todo.map((m) => m.name)
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK})`)
  }
}
