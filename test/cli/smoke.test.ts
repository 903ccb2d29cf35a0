import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { cli, json } from '../support/cli.ts'
import { BACKENDS, freshDb, removeTempDirs, type TestDb } from '../support/db.ts'
import { EMPTY_REDIS_WARNING } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

describe.each(BACKENDS)('first use on %s', (backend) => {
  let db: TestDb
  beforeEach(async () => {
    db = await freshDb(backend)
  })
  afterEach(() => db.drop())

  test('an empty database lists [] and exits 0', async () => {
    const result = await cli(['servers', 'list', '--json'], { db: db.url })
    // On Redis an empty namespace is most often the wrong one: a warning says so.
    const stderr = backend === 'redis' ? EMPTY_REDIS_WARNING : ''
    expect(result).toEqual({ stdout: '[]\n', stderr, code: 0 })
  })

  test('add then list round-trips the server object', async () => {
    const added = await cli(['servers', 'add', 'https://bbb1.example.com/bigbluebutton/api', 'secret-1', '--json'], { db: db.url })
    expect(added.code).toBe(0)
    const listed = await cli(['servers', 'list', '--json'], { db: db.url })
    expect(json(listed)).toEqual([json(added)])
  })
})
