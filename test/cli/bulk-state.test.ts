// `servers enable|cordon|disable` with --tag, --state or --all, end to end on both SQL backends: each
// matched server reported, all of them changed in one transaction, an empty match refused (exit 3),
// exactly one selector, and the single-server form as before.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { cli } from '../support/cli.ts'
import { freshDb, removeTempDirs, SQL_BACKENDS, type TestDb } from '../support/db.ts'
import { fleetRows, seedServers } from '../support/fleet-fixtures.ts'
import { createSchema, serverObject } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const api = (n: number) => `https://bbb${n}.example.com/bigbluebutton/api`

describe.each(SQL_BACKENDS)('bulk state changes on %s', (backend) => {
  let db: TestDb

  beforeEach(async () => {
    db = await freshDb(backend)
    await createSchema(db)
    // Ids in another order than the hostnames.
    await seedServers(db, [
      { id: 's-e', url: api(1), secret: 'secret-1', state: 'enabled', tag: 'rack-2', load: 10, load_multiplier: 1, online: true },
      { id: 's-d', url: api(2), secret: 'secret-2', state: 'cordoned', tag: 'rack-2', load: 4, load_multiplier: 2 },
      { id: 's-c', url: api(3), secret: 'secret-3', state: 'disabled', tag: 'rack-2', load_multiplier: 1 },
      { id: 's-b', url: api(4), secret: 'secret-4', state: 'enabled', tag: 'rack-1', load: 2, load_multiplier: 1, online: true },
      { id: 's-a', url: api(5), secret: 'secret-5', state: 'cordoned', load: 1, load_multiplier: 1 },
    ])
  })
  afterEach(() => db.drop())

  const states = async () => (await fleetRows(db)).map((r) => [r.id, r.state, r.load])

  test('cordon --tag: every server with the tag, in one go; --json prints their server objects sorted by hostname', async () => {
    const result = await cli(['servers', 'cordon', '--tag', 'rack-2', '--json'], { db: db.url })

    expect(result).toEqual({
      stdout: `${JSON.stringify([
        serverObject({ id: 's-e', url: api(1), secret: 'secret-1', tag: 'rack-2', state: 'cordoned', load: 10, online: 'online' }),
        serverObject({ id: 's-d', url: api(2), secret: 'secret-2', tag: 'rack-2', state: 'cordoned', load: 4, load_multiplier: '2.0' }),
        serverObject({ id: 's-c', url: api(3), secret: 'secret-3', tag: 'rack-2', state: 'cordoned' }),
      ])}\n`,
      stderr: '',
      code: 0,
    })
    expect(await states()).toEqual([
      ['s-a', 'cordoned', 1],
      ['s-b', 'enabled', 2],
      ['s-c', 'cordoned', null],
      ['s-d', 'cordoned', 4],
      ['s-e', 'cordoned', 10],
    ])
  })

  test('piped: each server with its state before and after, unchanged ones included', async () => {
    const result = await cli(['servers', 'enable', '--state', 'cordoned'], { db: db.url })

    expect(result).toEqual({ stdout: 's-d\tbbb2.example.com\tcordoned\tenabled\ns-a\tbbb5.example.com\tcordoned\tenabled\n', stderr: '', code: 0 })
    expect(await states()).toEqual([
      ['s-a', 'enabled', 1],
      ['s-b', 'enabled', 2],
      ['s-c', 'disabled', null],
      ['s-d', 'enabled', 4],
      ['s-e', 'enabled', 10],
    ])

    expect(await cli(['servers', 'enable', '--tag', 'rack-1'], { db: db.url })).toEqual({ stdout: 's-b\tbbb4.example.com\tenabled\tenabled\n', stderr: '', code: 0 })
  })

  test("disable --all disables every server and forgets each load; --tag '' selects the untagged ones", async () => {
    const untagged = await cli(['servers', 'disable', '--tag', ''], { db: db.url })
    expect(untagged).toEqual({ stdout: 's-a\tbbb5.example.com\tcordoned\tdisabled\n', stderr: '', code: 0 })

    const all = await cli(['servers', 'disable', '--all', '--json'], { db: db.url })

    expect(all.code).toBe(0)
    expect((JSON.parse(all.stdout) as { id: string; state: string; load: unknown }[]).map((s) => [s.id, s.state, s.load])).toEqual([
      ['s-e', 'disabled', 'unavailable'],
      ['s-d', 'disabled', 'unavailable'],
      ['s-c', 'disabled', 'unavailable'],
      ['s-b', 'disabled', 'unavailable'],
      ['s-a', 'disabled', 'unavailable'],
    ])
    expect(await states()).toEqual([
      ['s-a', 'disabled', null],
      ['s-b', 'disabled', null],
      ['s-c', 'disabled', null],
      ['s-d', 'disabled', null],
      ['s-e', 'disabled', null],
    ])
  })

  test('a selection that matches no server is refused with exit 3, and nothing changes', async () => {
    const before = await fleetRows(db)

    expect(await cli(['servers', 'cordon', '--tag', 'rack-9'], { db: db.url })).toEqual({
      stdout: '',
      stderr: 'error: No servers match --tag rack-9; nothing was changed\n',
      code: 3,
    })
    await db.query(`UPDATE servers SET state = 'enabled' WHERE state = 'disabled'`)
    expect(await cli(['servers', 'enable', '--state', 'disabled', '--json'], { db: db.url })).toEqual({
      stdout: '',
      stderr: '{"error":"No servers match --state disabled; nothing was changed"}\n',
      code: 3,
    })
    await db.query('DELETE FROM servers')
    expect(await cli(['servers', 'disable', '--all'], { db: db.url })).toEqual({ stdout: '', stderr: 'error: No servers match --all; nothing was changed\n', code: 3 })
    expect(before).toHaveLength(5)
  })

  test('exactly one of a server, --tag, --state or --all; --state takes the state words', async () => {
    const before = await fleetRows(db)
    const usage = (message: string) => ({ stdout: '', stderr: `error: ${message}\n`, code: 2 })

    expect(await cli(['servers', 'cordon'], { db: db.url })).toEqual(usage('Give a server, or one of --tag, --state or --all'))
    expect(await cli(['servers', 'cordon', 's-a', '--all'], { db: db.url })).toEqual(usage('Give a server, or one of --tag, --state or --all, not several'))
    expect(await cli(['servers', 'cordon', '--tag', 'rack-1', '--state', 'enabled'], { db: db.url })).toEqual(
      usage('Give a server, or one of --tag, --state or --all, not several'),
    )
    expect(await cli(['servers', 'disable', '--state', 'enable', '--json'], { db: db.url })).toEqual({
      stdout: '',
      stderr: '{"error":"Invalid state parameter: enable"}\n',
      code: 2,
    })
    expect(await fleetRows(db)).toEqual(before)
  })

  test('the single-server form still prints one server object', async () => {
    expect(await cli(['servers', 'cordon', 'bbb4.example.com', '--json'], { db: db.url })).toEqual({
      stdout: `${JSON.stringify(serverObject({ id: 's-b', url: api(4), secret: 'secret-4', tag: 'rack-1', state: 'cordoned', load: 2, online: 'online' }))}\n`,
      stderr: '',
      code: 0,
    })
  })

  test('one transaction: when one server cannot be changed, none is', async () => {
    // A rule of the database refuses any change to the last server in hostname order.
    if (backend === 'sqlite')
      await db.query(`CREATE TRIGGER refuse BEFORE UPDATE ON servers WHEN NEW.id = 's-a' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END`)
    else {
      await db.query(
        `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.id = 's-a' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      )
      await db.query('CREATE TRIGGER refuse BEFORE UPDATE ON servers FOR EACH ROW EXECUTE FUNCTION refuse()')
    }
    const before = await fleetRows(db)

    const result = await cli(['servers', 'disable', '--all'], { db: db.url })

    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    // Prisma words SQLite's RAISE(ABORT) as a constraint violation; PostgreSQL's message comes through.
    expect(result.stderr).toMatch(backend === 'sqlite' ? /^error: unexpected failure: [^\n]*constraint[^\n]*\n$/ : /^error: unexpected failure: [^\n]*refused by a test trigger[^\n]*\n$/)
    expect(await fleetRows(db)).toEqual(before)
  })
})
