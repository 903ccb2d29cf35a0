// Many processes at once (cron jobs plus operators) on one database: add, update, cordon, enable and
// panic mixed. No failure but the expected conflicts, and the final state is what the successful
// commands said.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { cli, json, type CliResult } from '../support/cli.ts'
import { BACKENDS, freshDb, removeTempDirs, type Backend, type TestDb } from '../support/db.ts'

afterAll(removeTempDirs)

interface Plan {
  distinctAdds: number
  sameUrlAdds: number
  multiplierUpdates: number
  stateFlips: number
  tagUpdates: number
  panics: number
}

// 50 processes on PostgreSQL and Redis, 20 on SQLite (one writer at a time by design).
const PLANS: Record<Backend, Plan> = {
  postgres: { distinctAdds: 12, sameUrlAdds: 10, multiplierUpdates: 8, stateFlips: 8, tagUpdates: 6, panics: 6 },
  redis: { distinctAdds: 12, sameUrlAdds: 10, multiplierUpdates: 8, stateFlips: 8, tagUpdates: 6, panics: 6 },
  sqlite: { distinctAdds: 5, sameUrlAdds: 4, multiplierUpdates: 3, stateFlips: 3, tagUpdates: 2, panics: 3 },
}

const total = (p: Plan) => Object.values(p).reduce((a, b) => a + b, 0)

describe.each(BACKENDS)('concurrent commands on %s', (backend) => {
  let db: TestDb
  beforeEach(async () => {
    db = await freshDb(backend)
  })
  afterEach(() => db.drop())

  // 50 process starts on two cores take most of a minute on a busy machine: more than the default timeout.
  test(`${total(PLANS[backend])} processes at once end in what the successful ones said`, { timeout: 180_000 }, async () => {
    const plan = PLANS[backend]
    const add = async (host: string) => json((await cli(['servers', 'add', `https://${host}/bigbluebutton/api`, 'secret', '--json'], { db: db.url })))
    const [s1, s2, s3, s4] = [await add('s1.test'), await add('s2.test'), await add('s3.test'), await add('s4.test')]
    await db.insertMeetings(
      s4.id,
      Array.from({ length: 30 }, (_, i): [string, string] => [`m${i}`, 'pw']),
    )

    const runs: { kind: string; arg?: string; run: Promise<CliResult> }[] = []
    const go = (kind: string, args: string[], arg?: string) => runs.push({ kind, arg, run: cli([...args, '--json'], { db: db.url }) })
    for (let i = 0; i < plan.distinctAdds; i++) go('add', ['servers', 'add', `https://new${i}.test/bigbluebutton/api`, `secret-${i}`], `https://new${i}.test/bigbluebutton/api`)
    for (let i = 0; i < plan.sameUrlAdds; i++) go('same', ['servers', 'add', 'https://same.test/bigbluebutton/api', `secret-${i}`])
    for (let i = 0; i < plan.multiplierUpdates; i++) go('multiplier', ['servers', 'update', s1.id, '--load-multiplier', `${i + 2}.5`])
    for (let i = 0; i < plan.stateFlips; i++) go('state', ['servers', i % 2 ? 'enable' : 'cordon', s2.id])
    for (let i = 0; i < plan.tagUpdates; i++) go('tag', ['servers', 'update', s3.id, '--tag', `tag-${i}`, '--state', i % 2 ? 'enable' : 'cordon'])
    for (let i = 0; i < plan.panics; i++) go('panic', ['servers', 'panic', s4.id, '--skip-end-calls'])

    const results = await Promise.all(runs.map(async (r) => ({ ...r, result: await r.run })))
    const unexpected = results.filter((r) => !(r.result.code === 0 || (r.kind === 'same' && r.result.code === 4)))
    expect(unexpected.map((r) => `${r.kind}: ${r.result.code} ${r.result.stderr}`)).toEqual([])

    // Every distinct add is there with its URL; exactly one of the same-URL adds won.
    const servers = json<{ id: string; url: string }[]>(await cli(['servers', 'list', '--json'], { db: db.url }))
    const byUrl = new Map(servers.map((s) => [s.url, s]))
    for (const r of results.filter((r) => r.kind === 'add')) expect(json(r.result)).toEqual(byUrl.get(r.arg as string))
    const same = results.filter((r) => r.kind === 'same')
    expect(same.filter((r) => r.result.code === 0)).toHaveLength(1)
    for (const loser of same.filter((r) => r.result.code === 4))
      expect(loser.result.stderr).toMatch(/^\{"error":"Server already exists with url=https:\/\/same\.test\/bigbluebutton\/api \(id=[0-9a-f-]{36}\)"\}\n$/)
    expect(byUrl.get('https://same.test/bigbluebutton/api')).toEqual(json(same.find((r) => r.result.code === 0)!.result))
    expect(servers).toHaveLength(4 + plan.distinctAdds + 1)

    // Each contested server ends as one of the successful commands left it: no lost or mixed write.
    for (const [kind, server] of [['multiplier', s1], ['state', s2], ['tag', s3]] as const) {
      const final = json(await cli(['servers', 'show', server.id, '--json'], { db: db.url }))
      expect(results.filter((r) => r.kind === kind).map((r) => json(r.result))).toContainEqual(final)
    }

    // Panic: disabled, no meeting left.
    expect(json(await cli(['servers', 'show', s4.id, '--json'], { db: db.url })).state).toBe('disabled')
    expect(await db.meetingIds()).toEqual([])
  })
})

describe('a SQLite file that another program made in rollback-journal mode', () => {
  test('many commands starting at once all switch it to WAL and succeed', { timeout: 120_000 }, async () => {
    const db = await freshDb('sqlite')
    try {
      // The fixture makes its file without WAL, as another program would.
      await db.prepare()
      expect(await db.query<{ journal_mode: string }>('PRAGMA journal_mode')).toEqual([{ journal_mode: 'delete' }])
      const runs = await Promise.all(Array.from({ length: 12 }, () => cli(['servers', 'list', '--json'], { db: db.url })))
      expect(runs).toEqual(Array.from({ length: 12 }, () => ({ stdout: '[]\n', stderr: '', code: 0 })))
      expect(await db.query<{ journal_mode: string }>('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }])
    } finally {
      await db.drop()
    }
  })
})
