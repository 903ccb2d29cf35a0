// `servers panic` end to end: the built CLI against a BBB stand-in on 127.0.0.1, on both backends.
// The first three are ports of Scalelite's panic specs; the rest cover the issue: failures named on
// stderr with exit 5, a bound on concurrent calls, a dead or silent server costing about one timeout,
// the checksum algorithm, the bare password key, and finishing a panic that was killed half-way.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type BbbStandIn, deadPort, MESSAGES, param, type StandInOptions, startBbb, unacceptingPort } from '../support/bbb-server.ts'
import { BIN, cleanEnv, cli, json } from '../support/cli.ts'
import { BACKENDS, freshDb, removeTempDirs, type TestDb } from '../support/db.ts'

afterAll(removeTempDirs)

const SECRET = 'bbb-secret-1'
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const success = (id: string) => `{"success":"Server id=${id} has been disabled and the meetings have been destroyed"}\n`
const partial = (id: string, failed: number, of: number) =>
  `{"error":"${failed} of ${of} end calls failed on server id=${id}; the meeting rows were removed all the same"}\n`
/** meeting-01 … meeting-NN: ids that sort as numbered. */
const ids = (n: number) => Array.from({ length: n }, (_, i) => `meeting-${String(i + 1).padStart(3, '0')}`)

describe.each(BACKENDS)('servers panic on %s', (backend) => {
  let db: TestDb
  let bbb: BbbStandIn | undefined
  const cleanups: (() => void)[] = []

  beforeEach(async () => {
    db = await freshDb(backend)
  })
  afterEach(async () => {
    await bbb?.stop()
    bbb = undefined
    for (const cleanup of cleanups.splice(0)) cleanup()
    await db.drop()
  })

  const standIn = async (options: Partial<StandInOptions> = {}) => {
    bbb = await startBbb({ secret: SECRET, ...options })
    return bbb
  }
  // Warnings stream out as the end calls finish, in whatever order they finish; compare them sorted.
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const result = await cli(args, { db: db.url, env })
    const lines = result.stderr.split(/(?<=\n)/)
    const warnings = lines.filter((l) => l.startsWith('warning: ')).sort()
    return { ...result, stderr: [...warnings, ...lines.filter((l) => !l.startsWith('warning: '))].join('') }
  }
  const addServer = async (url: string, secret = SECRET): Promise<string> => {
    const added = await run(['servers', 'add', url, secret, '--enable', '--json'])
    expect(added).toMatchObject({ stderr: '', code: 0 })
    return json<{ id: string }>(added).id
  }
  /** As the load balancer would: plain SQL naming only id, server_id and moderator_pw; on Redis, as Scalelite. */
  const insertMeetings = (serverId: string, meetings: [string, string | null][]) => db.insertMeetings(serverId, meetings)
  const meetingRows = () => db.meetingIds()
  const stateOf = (id: string) => db.serverState(id)
  /** The end calls the stand-in received, as [meetingID, password] sorted by meetingID. */
  const endCalls = () =>
    bbb!
      .calls('end')
      .map((r) => [param(r, 'meetingID'), param(r, 'password')])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now()
    const result = await work()
    return [result, performance.now() - started]
  }
  /**
   * What any command costs on this machine right now (process start, opening the database): a
   * `servers show` of the same server. Timing bounds are set above it, so a loaded machine slows
   * both sides alike.
   */
  const startCost = async (id: string) => {
    const [shown, ms] = await timed(() => run(['servers', 'show', id, '--json']))
    expect(shown.code).toBe(0)
    return ms
  }

  // Scalelite spec: "servers:panic" with two meetings.
  test('ends both meetings with their moderator passwords and a valid checksum, removes the rows and disables the server', async () => {
    await standIn({ meetings: { 'test-meeting-1': { moderatorPw: 'mp-1' }, 'test-meeting-2': { moderatorPw: 'mp-2' } } })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])

    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    const calls = bbb!.calls('end').sort((a, b) => a.rawQuery.localeCompare(b.rawQuery))
    expect(calls.map((r) => r.rawQuery)).toEqual([
      `meetingID=test-meeting-1&password=mp-1&checksum=${sha256(`endmeetingID=test-meeting-1&password=mp-1${SECRET}`)}`,
      `meetingID=test-meeting-2&password=mp-2&checksum=${sha256(`endmeetingID=test-meeting-2&password=mp-2${SECRET}`)}`,
    ])
    expect(calls.map((r) => [r.path, r.checksumValid, r.returncode])).toEqual([
      ['/bigbluebutton/api/end', true, 'SUCCESS'],
      ['/bigbluebutton/api/end', true, 'SUCCESS'],
    ])
    expect(bbb!.requests).toHaveLength(2)
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  // Scalelite spec: panic keeping the state.
  test('--keep-state ends the meetings and removes the rows but leaves the state', async () => {
    await standIn()
    const id = await addServer(bbb!.url)
    const other = await addServer(`http://127.0.0.1:${bbb!.port}/other/bigbluebutton/api`)
    await insertMeetings(id, [
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])
    await insertMeetings(other, [['test-meeting-3', 'mp-3']])

    const result = await run(['servers', 'panic', id, '--keep-state', '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(endCalls()).toEqual([
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])
    expect(await meetingRows()).toEqual(['test-meeting-3'])
    expect(await stateOf(id)).toBe('enabled')
    expect(await stateOf(other)).toBe('enabled')
  })

  // Scalelite spec: panic of an unknown server.
  test('an unknown server is exit 3 with the API error body, and nothing is touched', async () => {
    await standIn()
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [['test-meeting-1', 'mp-1']])

    const result = await run(['servers', 'panic', 'no-such-server', '--json'])

    expect(result).toEqual({ stdout: '', stderr: `{"error":"Couldn't find server with id=no-such-server"}\n`, code: 3 })
    expect(bbb!.requests).toEqual([])
    expect(await meetingRows()).toEqual(['test-meeting-1'])
    expect(await stateOf(id)).toBe('enabled')
  })

  test('a FAILED end call is named on stderr and gives exit 5; every row is removed and the server disabled', async () => {
    await standIn({ meetings: { 'test-meeting-1': { moderatorPw: 'mp-1' }, 'test-meeting-2': { moderatorPw: 'the-real-one' } } })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])

    const result = await run(['servers', 'panic', id])

    expect(result).toEqual({
      stdout: '',
      stderr:
        `warning: Could not end meeting id=test-meeting-2: invalidPassword: ${MESSAGES.invalidPassword}\n` +
        `error: 1 of 2 end calls failed on server id=${id}; the meeting rows were removed all the same\n`,
      code: 5,
    })
    expect(endCalls()).toEqual([
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  test('FAILED with another messageKey (--json): the warning carries key and message, the error body is the last line', async () => {
    await standIn({ meetings: { 'test-meeting-2': { end: { messageKey: 'serverBusy', message: 'Try again later.' } } } })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])

    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({
      stdout: '',
      stderr: 'warning: Could not end meeting id=test-meeting-2: serverBusy: Try again later.\n' + partial(id, 1, 2),
      code: 5,
    })
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  test('notFound (the meeting had ended already) counts as ended: exit 0', async () => {
    await standIn({ meetings: { 'test-meeting-1': { end: 'notFound' } } })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', 'mp-2'],
    ])

    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(bbb!.calls('end').map((r) => [param(r, 'meetingID'), r.messageKey]).sort()).toEqual([
      ['test-meeting-1', 'notFound'],
      ['test-meeting-2', 'sentEndMeetingRequest'],
    ])
    expect(await meetingRows()).toEqual([])
  })

  test('a reply without returncode is a failure named on stderr', async () => {
    await standIn({ garbage: '<html><body><h1>502 Bad Gateway</h1></body></html>' })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [['test-meeting-1', 'mp-1']])

    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({
      stdout: '',
      stderr: 'warning: Could not end meeting id=test-meeting-1: internalError: Response did not include returncode\n' + partial(id, 1, 1),
      code: 5,
    })
    expect(await meetingRows()).toEqual([])
  })

  test('a slow server: 40 meetings with BBB_CONCURRENCY=10 run in parallel, never more than 10 at once', async () => {
    await standIn({ delayMs: 300 })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, ids(40).map((m) => [m, `pw-${m}`]))

    const baseline = await startCost(id)
    const [result, ms] = await timed(() => run(['servers', 'panic', id, '--json'], { BBB_CONCURRENCY: '10' }))

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(endCalls()).toEqual(ids(40).map((m) => [m, `pw-${m}`]))
    expect(bbb!.maxInFlight).toBeLessThanOrEqual(10)
    expect(bbb!.maxInFlight).toBeGreaterThan(1)
    // 4 rounds of 300 ms, not 40 (12 s).
    await bbb!.idle()
    // Limits far from 12 s but generous, so that a loaded machine does not fail the test.
    expect(bbb!.span()).toBeLessThan(6000)
    expect(ms - baseline).toBeLessThan(8000)
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  test('an address where nothing listens: every meeting named as failed, exit 5, rows removed, fast', async () => {
    const port = await deadPort()
    const id = await addServer(`http://127.0.0.1:${port}/bigbluebutton/api`)
    await insertMeetings(id, ids(5).map((m) => [m, 'mp']))

    const baseline = await startCost(id)
    const [result, ms] = await timed(() => run(['servers', 'panic', id, '--json']))

    expect(result).toEqual({
      stdout: '',
      stderr: ids(5).map((m) => `warning: Could not end meeting id=${m}: connection refused (127.0.0.1:${port})\n`).join('') + partial(id, 5, 5),
      code: 5,
    })
    // Refused at once: far below one CONNECT_TIMEOUT (5 s) per meeting.
    expect(ms - baseline).toBeLessThan(6000)
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  // BBB_CONCURRENCY=10 so that one timeout per round of calls would show: 20 rounds, about 20 s, not 2.
  test('a server that never answers: 200 meetings end in about two RESPONSE_TIMEOUTs, not one per meeting', async () => {
    await standIn({ hang: true })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, ids(200).map((m) => [m, 'mp']))

    const baseline = await startCost(id)
    const [result, ms] = await timed(() =>
      run(['servers', 'panic', id, '--json'], { RESPONSE_TIMEOUT: '1', CONNECT_TIMEOUT: '1', BBB_CONCURRENCY: '10' }),
    )

    expect(result).toEqual({
      stdout: '',
      stderr: ids(200).map((m) => `warning: Could not end meeting id=${m}: no reply from 127.0.0.1:${bbb!.port} within 1 s\n`).join('') + partial(id, 200, 200),
      code: 5,
    })
    // The calls: about 2 s (the first round times out, then the rest together), not 20 rounds of 1 s.
    // The limits are far from 20 s but generous, so that a loaded machine does not fail the test.
    await bbb!.idle()
    expect(bbb!.span()).toBeLessThan(8000)
    expect(ms - baseline).toBeLessThan(10000)
    // Every meeting was still asked once.
    expect(endCalls().map(([m]) => m).sort()).toEqual(ids(200))
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  test('a server whose connections never complete: CONNECT_TIMEOUT (decimal) is honoured', async () => {
    const listener = await unacceptingPort()
    cleanups.push(listener.close)
    const id = await addServer(`http://127.0.0.1:${listener.port}/bigbluebutton/api`)
    await insertMeetings(id, ids(30).map((m) => [m, 'mp']))

    const baseline = await startCost(id)
    const [result, ms] = await timed(() => run(['servers', 'panic', id, '--json'], { CONNECT_TIMEOUT: '0.5', RESPONSE_TIMEOUT: '10' }))

    expect(result).toEqual({
      stdout: '',
      stderr:
        ids(30)
          .map((m) => `warning: Could not end meeting id=${m}: no connection to 127.0.0.1:${listener.port} within 0.5 s\n`)
          .join('') + partial(id, 30, 30),
      code: 5,
    })
    // Two rounds of 0.5 s, and far below one 0.5 s timeout per meeting in a row (15 s).
    expect(ms - baseline).toBeLessThan(7000)
    expect(await meetingRows()).toEqual([])
  })

  test('--skip-end-calls makes no HTTP request and removes the rows', async () => {
    await standIn()
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [
      ['test-meeting-1', 'mp-1'],
      ['test-meeting-2', null],
    ])

    const result = await run(['servers', 'panic', id, '--skip-end-calls', '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(bbb!.requests).toEqual([])
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })

  test('LOADBALANCER_CHECKSUM_ALGORITHM=SHA1:SHA512 signs with SHA512; unset signs with SHA256', async () => {
    await standIn({ algorithms: ['sha512'] })
    const id = await addServer(bbb!.url)

    await insertMeetings(id, [['test-meeting-1', 'mp-1']])
    const strongest = await run(['servers', 'panic', id, '--json'], { LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA1:SHA512' })
    expect(strongest).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(bbb!.requests.map((r) => [r.algorithm, r.checksum?.length, r.checksumValid, r.returncode])).toEqual([['sha512', 128, true, 'SUCCESS']])

    // Unset: SHA256, which this stand-in refuses.
    bbb!.reset()
    await insertMeetings(id, [['test-meeting-2', 'mp-2']])
    const unset = await run(['servers', 'panic', id, '--json'])
    expect(unset).toEqual({
      stdout: '',
      stderr: `warning: Could not end meeting id=test-meeting-2: checksumError: ${MESSAGES.checksumError}\n` + partial(id, 1, 1),
      code: 5,
    })
    expect(bbb!.requests.map((r) => [r.algorithm, r.checksum?.length, r.checksumValid])).toEqual([['sha256', 64, false]])

    // Unset, against a stand-in that takes SHA256 only.
    bbb!.options.algorithms = ['sha256']
    bbb!.reset()
    await insertMeetings(id, [['test-meeting-3', 'mp-3']])
    expect(await run(['servers', 'panic', id, '--json'])).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(bbb!.requests.map((r) => [r.algorithm, r.checksumValid, r.returncode])).toEqual([['sha256', true, 'SUCCESS']])
    expect(await meetingRows()).toEqual([])
  })

  test('a meeting with a NULL moderator_pw is ended with a bare `password` key, as Scalelite does', async () => {
    await standIn({ meetings: { 'test-meeting-1': { moderatorPw: null } } })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [['test-meeting-1', null]])

    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(bbb!.requests.map((r) => r.rawQuery)).toEqual([
      `meetingID=test-meeting-1&password&checksum=${sha256(`endmeetingID=test-meeting-1&password${SECRET}`)}`,
    ])
    expect(bbb!.requests[0]!.checksumValid).toBe(true)
    expect(await meetingRows()).toEqual([])
  })

  test('meeting ids and passwords are form-encoded, and the checksum covers the encoded query', async () => {
    const meetingId = 'Room 1/ä*-._~'
    const password = 'p&w=1 x+y'
    await standIn({ meetings: { [meetingId]: { moderatorPw: password } } })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, [[meetingId, password]])

    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    const query = 'meetingID=Room+1%2F%C3%A4*-._%7E&password=p%26w%3D1+x%2By'
    expect(bbb!.requests.map((r) => [r.rawQuery, r.returncode])).toEqual([[`${query}&checksum=${sha256(`end${query}${SECRET}`)}`, 'SUCCESS']])
  })

  test('a panic killed half-way leaves the server disabled and the rest of the rows; running it again finishes them', async () => {
    const meetings = ids(6)
    await standIn({ delayMs: 200 })
    const id = await addServer(bbb!.url)
    await insertMeetings(id, meetings.map((m) => [m, `pw-${m}`]))

    // One call at a time; killed as the third end call arrives (the first two have been answered).
    const child = spawn(process.execPath, [BIN, 'servers', 'panic', id, '--json'], {
      env: cleanEnv({ HOME: '/nonexistent-home', DATABASE_URL: db.url, BBB_CONCURRENCY: '1' }),
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
    bbb!.options.onRequest = () => {
      if (bbb!.calls('end').length === 3) child.kill('SIGKILL')
    }
    expect(await exited).toBe('SIGKILL')
    expect(endCalls().map(([m]) => m)).toEqual(meetings.slice(0, 3))
    expect(await stateOf(id)).toBe('disabled')
    expect(await meetingRows()).toEqual(meetings.slice(2))

    bbb!.options = { secret: SECRET }
    bbb!.reset()
    const result = await run(['servers', 'panic', id, '--json'])

    expect(result).toEqual({ stdout: success(id), stderr: '', code: 0 })
    expect(endCalls()).toEqual(meetings.slice(2).map((m) => [m, `pw-${m}`]))
    expect(await meetingRows()).toEqual([])
    expect(await stateOf(id)).toBe('disabled')
  })
})
