// Crash safety: a panic of 200 meetings against a slow BBB server, killed with SIGKILL at several
// moments and then run again, ends with every meeting row gone, every meeting asked to end at least
// once, and the server disabled (or, with --keep-state, as it was).
import { spawn } from 'node:child_process'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { BIN, cleanEnv, cli, json } from '../support/cli.ts'
import { BACKENDS, freshDb, removeTempDirs, type TestDb } from '../support/db.ts'
import { startBbb, type BbbStandIn } from '../support/bbb-server.ts'

afterAll(removeTempDirs)

const SECRET = 'crash-test-secret'
const MEETINGS = Array.from({ length: 200 }, (_, i) => `crash-${String(i).padStart(3, '0')}`)

describe.each(BACKENDS)('a killed panic on %s', (backend) => {
  let db: TestDb
  let bbb: BbbStandIn
  beforeEach(async () => {
    db = await freshDb(backend)
    bbb = await startBbb({ secret: SECRET, delayMs: 20 })
  })
  afterEach(async () => {
    await bbb.stop()
    await db.drop()
  })

  /** Starts a panic and kills it with SIGKILL once `killAfter` end calls have reached BBB. */
  async function killedPanic(serverId: string, killAfter: number, extra: string[] = []): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'servers', 'panic', serverId, '--json', ...extra], {
      env: cleanEnv({ HOME: '/nonexistent-home', DATABASE_URL: db.url, BBB_CONCURRENCY: '8' }),
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
    if (killAfter === 0) child.kill('SIGKILL')
    else
      bbb.options.onRequest = () => {
        if (bbb.calls('end').length >= killAfter) child.kill('SIGKILL')
      }
    expect(await exited).toBe('SIGKILL')
    bbb.options.onRequest = undefined
  }

  async function setUp(): Promise<string> {
    const added = await cli(['servers', 'add', bbb.url, SECRET, '--enable', '--json'], { db: db.url })
    const { id } = json<{ id: string }>(added)
    await db.insertMeetings(
      id,
      MEETINGS.map((m) => [m, `pw-${m}`]),
    )
    return id
  }

  const rows = () => db.meetingIds()
  const state = (id: string) => db.serverState(id)
  const askedToEnd = () => new Set(bbb.calls('end').map((r) => r.params.find(([k]) => k === 'meetingID')?.[1]))

  test.each([0, 1, 60, 199])('killed after %i end calls, then run again', async (killAfter) => {
    const id = await setUp()
    await killedPanic(id, killAfter)

    // The invariant holds at the moment of the kill: no row without an attempted end call.
    const left = await rows()
    const asked = askedToEnd()
    for (const meeting of MEETINGS) if (!left.includes(meeting)) expect(asked.has(meeting)).toBe(true)
    if (killAfter > 0) expect(await state(id)).toBe('disabled')

    const rerun = await cli(['servers', 'panic', id, '--json'], { db: db.url })
    expect(rerun).toEqual({ stdout: `{"success":"Server id=${id} has been disabled and the meetings have been destroyed"}\n`, stderr: '', code: 0 })
    expect(await rows()).toEqual([])
    expect([...askedToEnd()].sort()).toEqual(MEETINGS)
    expect(await state(id)).toBe('disabled')
  })

  test('with --keep-state, killed and run again, the state is kept', async () => {
    const id = await setUp()
    await killedPanic(id, 100, ['--keep-state'])
    const rerun = await cli(['servers', 'panic', id, '--keep-state', '--json'], { db: db.url })
    expect(rerun.code).toBe(0)
    expect(await rows()).toEqual([])
    expect([...askedToEnd()].sort()).toEqual(MEETINGS)
    expect(await state(id)).toBe('enabled')
  })
})
