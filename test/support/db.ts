// A fresh database per test, on each backend the suite covers. SQLite: a new file in a new temporary
// folder. PostgreSQL: a new database on the run's throwaway cluster (test/support/postgres-cluster.ts).
// Redis: a database index of its own on the run's redis-server (test/support/redis-db.ts), in
// Scalelite's key layout under its default namespace.
//
// What another program would write (servers of its own, meetings, poll figures, tenants and their
// lrs_/kc_ fields) goes through the fixture helpers below, the same call on every backend: plain SQL
// as that program would write it, or on Redis the keys exactly as Scalelite writes them. `query`
// (plain SQL, $1, $2… placeholders on both SQL databases) is for tests that are about SQL itself.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import pg from 'pg'
import { inject, test } from 'vitest'
import { loadMigrations, migratePostgres, migrateSqlite } from '../../src/db/migrate.ts'
import { TENANT_EXTRA_FIELDS, type TenantExtraField } from '../../src/db/store.ts'
import type {} from './postgres-cluster.ts' // declares what inject() provides
import type {} from './redis-global.ts'

export type Backend = 'sqlite' | 'postgres' | 'redis'
export const BACKENDS: Backend[] = ['sqlite', 'postgres', 'redis']
export const SQL_BACKENDS: Backend[] = ['sqlite', 'postgres']

/** A server as another program writes it, naming only what the contract says it must be able to name. */
export interface ServerSeed {
  id: string
  url: string
  secret: string
  state: string
  online: boolean
}

/** What the poller and the rake tasks write later: figures, tag, multiplier, version. */
export interface ServerFields {
  load?: number
  tag?: string
  load_multiplier?: number
  bbb_version?: string
}

/** A server as stored, in the contract's column names; the same shape on every backend. */
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
  /** SQL: the column. Redis, which keeps no such time: a digest of everything stored for the server. */
  updated_at: string
}

export interface TenantRow {
  id: string
  name: string
  secrets: string
}

/** A tenant setting as stored, in the table's column names; override a boolean on every backend. */
export interface TenantSettingRow {
  id: string
  tenant_id: string
  param: string
  value: string
  override: boolean
}

export interface TestDb {
  backend: Backend
  url: string
  /** The schema as the first command leaves it (SQL); nothing to do on Redis. */
  prepare(): Promise<void>
  insertServer(row: ServerSeed): Promise<void>
  setServer(id: string, fields: ServerFields): Promise<void>
  /** Every server, sorted by id. */
  serverRows(): Promise<ServerRow[]>
  serverState(id: string): Promise<string | undefined>
  insertMeetings(serverId: string, meetings: [id: string, moderatorPw: string | null][]): Promise<void>
  /** Every meeting, sorted by id. */
  meetingRows(): Promise<{ id: string; server_id: string | null }[]>
  meetingIds(): Promise<string[]>
  deleteAllMeetings(): Promise<void>
  insertTenant(tenant: TenantRow): Promise<void>
  setTenant(id: string, fields: Partial<Record<TenantExtraField, string>>): Promise<void>
  /** Every tenant, sorted by name. */
  tenantRows(): Promise<TenantRow[]>
  /** The lrs_/kc_ fields stored for a tenant (SQL: the columns that are not null; Redis: the hash fields there). */
  tenantExtra(id: string): Promise<Partial<Record<TenantExtraField, string>>>
  /** A tenant setting as Scalelite's tenantSettings:add writes it. */
  insertTenantSetting(row: TenantSettingRow): Promise<void>
  /** Every tenant setting stored (on Redis every tenant_setting hash, in a set or not), sorted by id. */
  tenantSettingRows(): Promise<TenantSettingRow[]>
  /** Plain SQL: SQL backends only. */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>
  drop(): Promise<void>
}

const dirs: string[] = []

export function tempDir(prefix = 'sa-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A test with its own fresh database of the backend (`db`), dropped afterwards. */
export const withDb = (backend: Backend) =>
  test.extend<{ db: TestDb }>({
    // The empty pattern is how vitest learns that this fixture needs no other.
    db: async ({}, use) => {
      const db = await freshDb(backend)
      await use(db)
      await db.drop()
    },
  })

export async function freshDb(backend: Backend): Promise<TestDb> {
  if (backend === 'redis') return (await import('./redis-db.ts')).redisDb()
  return backend === 'sqlite' ? sqliteDb() : postgresDb()
}

type Query = <T>(sql: string, ...params: unknown[]) => Promise<T[]>

const migrationsDir = (provider: string) => fileURLToPath(new URL(`../../prisma/${provider}/migrations/`, import.meta.url))

/** The SQL fixture helpers, over one database's `query`. */
function sqlDb(backend: 'sqlite' | 'postgres', url: string, query: Query, migrate: () => Promise<void>, drop: () => Promise<void>): TestDb {
  let prepared: Promise<void> | undefined
  const prepare = () => (prepared ??= migrate())
  const run: Query = async (sql, ...params) => {
    await prepare()
    return query(sql, ...params)
  }
  return {
    backend,
    url,
    prepare,
    query: run,
    drop,
    async insertServer(row) {
      // SQLite's driver binds no booleans; TRUE and FALSE are literals on both databases.
      await run(
        `INSERT INTO servers (id, url, secret, state, online) VALUES ($1, $2, $3, $4, ${row.online ? 'TRUE' : 'FALSE'})`,
        row.id,
        row.url,
        row.secret,
        row.state,
      )
    },
    async setServer(id, fields) {
      const entries = Object.entries(fields).filter(([, v]) => v !== undefined)
      if (entries.length === 0) return
      const sets = entries.map(([column], i) => `${column} = $${i + 1}`).join(', ')
      await run(`UPDATE servers SET ${sets} WHERE id = $${entries.length + 1}`, ...entries.map(([, v]) => v), id)
    },
    async serverRows() {
      const rows = await run<Record<string, unknown>>(
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
    },
    async serverState(id) {
      return (await run<{ state: string }>('SELECT state FROM servers WHERE id = $1', id))[0]?.state
    },
    async insertMeetings(serverId, meetings) {
      // As the load balancer would: plain SQL naming only id, server_id and moderator_pw.
      for (let i = 0; i < meetings.length; i += 50) {
        const chunk = meetings.slice(i, i + 50)
        const values = chunk.map((_, j) => `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3})`).join(', ')
        await run(`INSERT INTO meetings (id, server_id, moderator_pw) VALUES ${values}`, ...chunk.flatMap(([m, pw]) => [m, serverId, pw]))
      }
    },
    meetingRows: () => run('SELECT id, server_id FROM meetings ORDER BY id'),
    async meetingIds() {
      return (await run<{ id: string }>('SELECT id FROM meetings ORDER BY id')).map((r) => r.id)
    },
    async deleteAllMeetings() {
      await run('DELETE FROM meetings')
    },
    async insertTenant(t) {
      await run('INSERT INTO tenants (id, name, secrets) VALUES ($1, $2, $3)', t.id, t.name, t.secrets)
    },
    async setTenant(id, fields) {
      const entries = Object.entries(fields)
      if (entries.length === 0) return
      const sets = entries.map(([column], i) => `${column}=$${i + 1}`).join(', ')
      await run(`UPDATE tenants SET ${sets} WHERE id=$${entries.length + 1}`, ...entries.map(([, v]) => v), id)
    },
    tenantRows: () => run('SELECT id, name, secrets FROM tenants ORDER BY name'),
    async tenantExtra(id) {
      const [row] = await run<Record<string, string | null>>(`SELECT ${TENANT_EXTRA_FIELDS.join(', ')} FROM tenants WHERE id = $1`, id)
      return Object.fromEntries(Object.entries(row ?? {}).filter(([, v]) => v !== null))
    },
    async insertTenantSetting(r) {
      await run(
        `INSERT INTO tenant_settings (id, tenant_id, param, value, override) VALUES ($1, $2, $3, $4, ${r.override ? 'TRUE' : 'FALSE'})`,
        r.id,
        r.tenant_id,
        r.param,
        r.value,
      )
    },
    async tenantSettingRows() {
      const rows = await run<Record<string, unknown>>('SELECT id, tenant_id, param, value, override FROM tenant_settings ORDER BY id')
      return rows.map((r) => ({ ...(r as Omit<TenantSettingRow, 'override'>), override: r.override === true || r.override === 1 }))
    },
  }
}

function sqliteDb(): TestDb {
  const dir = tempDir()
  const file = path.join(dir, 'test.db')
  const query: Query = async <T>(sql: string, ...params: unknown[]) => {
    const db = new Database(file, { timeout: 10_000 })
    try {
      const statement = db.prepare(sql.replace(/\$\d+/g, '?'))
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[]
    } finally {
      db.close()
    }
  }
  const migrate = async () => {
    const db = new Database(file, { timeout: 10_000 })
    try {
      migrateSqlite(db, loadMigrations(migrationsDir('sqlite')))
    } finally {
      db.close()
    }
  }
  return sqlDb('sqlite', `file:${file}`, query, migrate, async () => rmSync(dir, { recursive: true, force: true }))
}

let counter = 0

async function postgresDb(): Promise<TestDb> {
  const admin = new URL(inject('pgUrl'))
  const name = `t_${process.pid}_${Date.now()}_${counter++}`
  const adminClient = new pg.Client({ connectionString: admin.toString() })
  await adminClient.connect()
  await adminClient.query(`CREATE DATABASE "${name}"`)
  await adminClient.end()
  const url = new URL(admin)
  url.pathname = `/${name}`
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  const query: Query = <T>(sql: string, ...params: unknown[]) => withClient(async (client) => (await client.query(sql, params)).rows as T[])
  const migrate = async () => {
    await withClient((client) => migratePostgres(client, loadMigrations(migrationsDir('postgres'))))
  }
  const drop = async () => {
    const client = new pg.Client({ connectionString: admin.toString() })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await client.end()
  }
  return sqlDb('postgres', url.toString(), query, migrate, drop)
}
