// Many first commands at once on a new, empty database: the schema is created exactly once, and none
// of them fails (a cron job and an operator may well be the first together).
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { cli } from '../support/cli.ts'
import { SQL_BACKENDS, freshDb, removeTempDirs, type TestDb } from '../support/db.ts'

afterAll(removeTempDirs)

describe.each(SQL_BACKENDS)('first use by 10 processes at once on %s', (backend) => {
  let db: TestDb
  beforeEach(async () => {
    db = await freshDb(backend)
  })
  afterEach(() => db.drop())

  test('all succeed and the migrations are recorded once each', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => cli(['servers', 'list', '--json'], { db: db.url })))
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ stdout: '[]\n', stderr: '', code: 0 })))
    const rows = await db.query<{ migration_name: string; finished: number }>(
      'SELECT migration_name, COUNT(*) AS finished FROM "_prisma_migrations" WHERE finished_at IS NOT NULL GROUP BY migration_name ORDER BY migration_name',
    )
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.map((r) => Number(r.finished))).toEqual(rows.map(() => 1))
  })
})
