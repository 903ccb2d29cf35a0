// A fresh database per test, on each backend the suite covers. SQLite: a new file in a new temporary
// folder. PostgreSQL: a new database on the run's throwaway cluster (test/support/postgres-cluster.ts).
// Rows that another program would write (meetings, poll figures) are inserted with plain SQL, as that
// program would; write the SQL with $1, $2… placeholders, which both backends take here.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { inject } from 'vitest'
import type {} from './postgres-cluster.ts' // declares what inject() provides

export type Backend = 'sqlite' | 'postgres'
export const BACKENDS: Backend[] = ['sqlite', 'postgres']

export interface TestDb {
  backend: Backend
  url: string
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

export function freshDb(backend: Backend): Promise<TestDb> {
  return backend === 'sqlite' ? Promise.resolve(sqliteDb()) : postgresDb()
}

function sqliteDb(): TestDb {
  const dir = tempDir()
  const file = path.join(dir, 'test.db')
  return {
    backend: 'sqlite',
    url: `file:${file}`,
    async query<T>(sql: string, ...params: unknown[]) {
      const db = new Database(file, { timeout: 10_000 })
      try {
        const statement = db.prepare(sql.replace(/\$\d+/g, '?'))
        return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[]
      } finally {
        db.close()
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
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
  return {
    backend: 'postgres',
    url: url.toString(),
    async query<T>(sql: string, ...params: unknown[]) {
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      try {
        return (await client.query(sql, params)).rows as T[]
      } finally {
        await client.end()
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: admin.toString() })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await client.end()
    },
  }
}
