// What the servers tests need besides the CLI: the server object as the contract spells it, and the
// rows another program (the load balancer, the poller) would write, inserted with plain SQL.
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import pg from 'pg'
import { loadMigrations, migratePostgres, migrateSqlite } from '../../src/db/migrate.ts'
import type { TestDb } from './db.ts'

export interface ServerObject {
  id: string
  url: string
  secret: string
  tag: string
  bbb_version: string
  state: 'enabled' | 'cordoned' | 'disabled'
  load: number | 'unavailable'
  load_multiplier: string | number
  online: 'online' | 'offline'
}

/** The server object in the contract's key order; a new server's defaults unless overridden. */
export function serverObject(given: Pick<ServerObject, 'id' | 'url' | 'secret'> & Partial<ServerObject>): ServerObject {
  return {
    id: given.id,
    url: given.url,
    secret: given.secret,
    tag: given.tag ?? '',
    bbb_version: given.bbb_version ?? '',
    state: given.state ?? 'disabled',
    load: given.load ?? 'unavailable',
    load_multiplier: given.load_multiplier ?? '1.0',
    online: given.online ?? 'offline',
  }
}

/** One JSON document on one line, as `--json` prints it. */
export const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * Brings a fresh test database's schema up, as the first command would, for tests that start by
 * writing rows with plain SQL (the tool's own migration runner, in-process).
 */
export async function createSchema(db: TestDb): Promise<void> {
  const dir = (provider: string) => fileURLToPath(new URL(`../../prisma/${provider}/migrations/`, import.meta.url))
  if (db.backend === 'sqlite') {
    const sqlite = new Database(db.url.slice('file:'.length))
    try {
      migrateSqlite(sqlite, loadMigrations(dir('sqlite')))
    } finally {
      sqlite.close()
    }
    return
  }
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    await migratePostgres(client, loadMigrations(dir('postgres')))
  } finally {
    await client.end()
  }
}

/** A server row naming only the columns the contract says another program must be able to name. */
export async function insertServer(
  db: TestDb,
  row: { id: string; url: string; secret: string; state: string; online: boolean },
): Promise<void> {
  // SQLite's driver binds no booleans; TRUE and FALSE are literals on both databases.
  await db.query(
    `INSERT INTO servers (id, url, secret, state, online) VALUES ($1, $2, $3, $4, ${row.online ? 'TRUE' : 'FALSE'})`,
    row.id,
    row.url,
    row.secret,
    row.state,
  )
}

export async function insertMeeting(db: TestDb, id: string, serverId: string, moderatorPw = 'mp'): Promise<void> {
  await db.query('INSERT INTO meetings (id, server_id, moderator_pw) VALUES ($1, $2, $3)', id, serverId, moderatorPw)
}

export interface ServerRow {
  id: string
  url: string
  secret: string
  tag: string | null
  state: string
  load: number | null
  load_multiplier: number | null
  online: boolean
  bbb_version: string | null
  updated_at: string
}

/** Every server row as stored, sorted by id; the same shape on both databases. */
export async function serverRows(db: TestDb): Promise<ServerRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT id, url, secret, tag, state, load, load_multiplier, online, bbb_version, updated_at FROM servers ORDER BY id',
  )
  return rows.map((r) => ({
    id: r.id as string,
    url: r.url as string,
    secret: r.secret as string,
    tag: r.tag as string | null,
    state: r.state as string,
    load: r.load === null ? null : Number(r.load),
    load_multiplier: r.load_multiplier === null ? null : Number(r.load_multiplier),
    online: r.online === true || r.online === 1,
    bbb_version: r.bbb_version as string | null,
    updated_at: r.updated_at instanceof Date ? r.updated_at.toISOString() : String(r.updated_at),
  }))
}

/** Meeting ids per server id. */
export async function meetingRows(db: TestDb): Promise<{ id: string; server_id: string | null }[]> {
  return db.query('SELECT id, server_id FROM meetings ORDER BY id')
}
