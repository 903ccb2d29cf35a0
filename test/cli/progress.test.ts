// The progress line of long work (panic's end calls, poll, sync): drawn and redrawn on stderr only
// when stderr is a terminal, erased at the end, never on stdout, never mixed into a warning. Against a
// slow BBB stand-in on 127.0.0.1, so the work lasts long enough for several redraws. SQLite only: the
// progress does not depend on the database.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type BbbStandIn, startBbb } from '../support/bbb-server.ts'
import { cli } from '../support/cli.ts'
import { freshDb, removeTempDirs, tempDir, type TestDb } from '../support/db.ts'
import { onTerminal } from '../support/pty.ts'

afterAll(removeTempDirs)

const SECRET = 'bbb-secret-progress'
const MEETINGS = 60
/** 60 meetings, 5 at a time, 100 ms each: about 1.2 s of end calls. */
const SLOW = { BBB_CONCURRENCY: '5' }
const ERASE = '\r\x1b[2K'
const success = (id: string) => `Server id=${id} has been disabled and the meetings have been destroyed\n`
const successJson = (id: string) => `{"success":"Server id=${id} has been disabled and the meetings have been destroyed"}\n`

/**
 * What a terminal shows once everything written to it has been drawn: carriage returns go back to the
 * start of the line, ESC[2K erases it, colour codes draw nothing.
 */
function rendered(screen: string): string {
  const lines = ['']
  let col = 0
  const text = screen.replace(/\x1b\[[0-9;]*m/g, '')
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('\x1b[2K', i)) {
      lines[lines.length - 1] = ''
      i += 3
    } else if (text[i] === '\r') col = 0
    else if (text[i] === '\n') {
      lines.push('')
      col = 0
    } else {
      const line = lines[lines.length - 1] as string
      lines[lines.length - 1] = line.slice(0, col).padEnd(col) + text[i] + line.slice(col + 1)
      col++
    }
  }
  return lines.join('\n')
}

/** Each state of the progress line drawn on the screen, in order. */
const draws = (screen: string, label: string) => screen.split(ERASE).filter((part) => part.startsWith(`${label} [`))

describe('progress', () => {
  let db: TestDb
  let bbb: BbbStandIn

  beforeEach(async () => {
    db = await freshDb('sqlite')
    bbb = await startBbb({ secret: SECRET, delayMs: 100 })
  })
  afterEach(async () => {
    await bbb.stop()
    await db.drop()
  })

  /** Servers 1..n, all at the stand-in, each with MEETINGS meetings (plain SQL, as another program writes them). */
  const seed = async (n: number): Promise<string[]> => {
    const ids = Array.from({ length: n }, (_, i) => `progress-server-${i + 1}`)
    for (const id of ids) {
      await db.insertServer({ id, url: bbb.url, secret: SECRET, state: 'enabled', online: true })
      await db.insertMeetings(
        id,
        Array.from({ length: MEETINGS }, (_, m) => [`${id}-meeting-${m + 1}`, 'mp']),
      )
    }
    return ids
  }

  test('panic on a terminal: a counter and bar redrawn on stderr, erased at the end; the screen keeps only the result', async () => {
    const [id] = (await seed(1)) as [string]

    const started = Date.now()
    const { screen, code, asked } = await onTerminal(['servers', 'panic', id, '--yes'], { db: db.url, env: SLOW })
    const elapsed = Date.now() - started

    expect({ code, asked, shown: rendered(screen) }).toEqual({ code: 0, asked: false, shown: success(id) })
    const drawn = draws(screen, 'ending meetings')
    expect(drawn.length).toBeGreaterThan(1)
    // Throttled: at most 10 draws a second.
    expect(drawn.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100))
    for (const line of drawn) expect(line).toMatch(/^ending meetings \[#*-*\] \d+\/60$/)
    expect(drawn[0]).not.toBe(drawn[drawn.length - 1])
    // Erased before the result is written.
    expect(screen.endsWith(`${ERASE}${success(id)}`)).toBe(true)
    expect(await db.meetingIds()).toEqual([])
  })

  test('stdout in a file, stderr on the terminal: the file holds exactly the JSON, the progress stays on the terminal', async () => {
    const [id] = (await seed(1)) as [string]
    const file = path.join(tempDir(), 'out.json')

    const { screen, code } = await onTerminal(['servers', 'panic', id, '--yes', '--json'], { db: db.url, env: SLOW, redirect: `> '${file}'` })

    expect(code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(successJson(id))
    expect(draws(screen, 'ending meetings').length).toBeGreaterThan(1)
    expect(rendered(screen)).toBe('')
  })

  test('stderr not a terminal: no progress, whatever stdout is', async () => {
    const [piped, toFile] = (await seed(2)) as [string, string]
    const file = path.join(tempDir(), 'err.txt')

    const [inPipes, stdoutOnTerminal] = await Promise.all([
      cli(['servers', 'panic', piped, '--json'], { db: db.url, env: SLOW }),
      onTerminal(['servers', 'panic', toFile, '--yes'], { db: db.url, env: SLOW, redirect: `2> '${file}'` }),
    ])

    expect(inPipes).toEqual({ stdout: successJson(piped), stderr: '', code: 0 })
    expect(stdoutOnTerminal).toEqual({ screen: success(toFile), code: 0, asked: false })
    expect(readFileSync(file, 'utf8')).toBe('')
  })

  test('warnings during the progress: each on a line of its own, the progress redrawn under it and erased at the end', async () => {
    const [id] = (await seed(1)) as [string]
    bbb.options.defaultEnd = { messageKey: 'oops', message: 'it broke' }
    const failed = Array.from({ length: MEETINGS }, (_, m) => `warning: Could not end meeting id=${id}-meeting-${m + 1}: oops: it broke`)

    const { screen, code } = await onTerminal(['servers', 'panic', id, '--yes', '--no-color'], { db: db.url, env: SLOW })

    expect(code).toBe(5)
    const lines = rendered(screen).split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.pop()).toBe(`error: ${MEETINGS} of ${MEETINGS} end calls failed on server id=${id}; the meeting rows were removed all the same`)
    expect(lines.sort()).toEqual(failed.sort())
    expect(draws(screen, 'ending meetings').some((line) => /, \d+ failed$/.test(line))).toBe(true)
    expect(screen).not.toMatch(/\x1b\[3\dm/)
  })

  test('poll on a terminal with stdout in a file: the progress on the terminal, erased; the file holds the one JSON document', async () => {
    await seed(3)
    bbb.options.delayMs = 300
    const file = path.join(tempDir(), 'poll.json')

    const { screen, code } = await onTerminal(['servers', 'poll', '--json'], { db: db.url, env: { BBB_CONCURRENCY: '1' }, redirect: `> '${file}'` })

    expect(code).toBe(0)
    const document = JSON.parse(readFileSync(file, 'utf8')) as { servers: { id: string }[] }
    expect(document.servers.map((s) => s.id)).toEqual(['progress-server-1', 'progress-server-2', 'progress-server-3'])
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(2)
    expect(draws(screen, 'polling servers').length).toBeGreaterThan(0)
    expect(rendered(screen)).toBe('')
  })

  test('sync --mode force on a terminal: one progress over the changes and the end calls, erased; the file holds the report', async () => {
    const [id] = (await seed(1)) as [string]
    const file = path.join(tempDir(), 'sync.json')
    const document = JSON.stringify({ servers: { 'new-one': { url: 'https://bbb9.example.com/bigbluebutton/api', secret: 'new-one-secret' } } })
    const input = path.join(tempDir(), 'fleet.json')
    writeFileSync(input, document)

    const { screen, code } = await onTerminal(['servers', 'sync', input, '--mode', 'force', '--json'], { db: db.url, env: SLOW, redirect: `> '${file}'` })

    expect(code).toBe(0)
    const report = JSON.parse(readFileSync(file, 'utf8')) as { changes: { id: string; change: string; meetings: number }[] }
    expect(report.changes.map(({ id, change, meetings }) => [id, change, meetings])).toEqual([
      ['new-one', 'create', 0],
      [id, 'remove', MEETINGS],
    ])
    const drawn = draws(screen, 'syncing servers')
    expect(drawn.length).toBeGreaterThan(1)
    // Two changes in one transaction (create one, cordon the other), 60 end calls, one removal.
    for (const line of drawn) expect(line).toMatch(/^syncing servers \[#*-*\] \d+\/63$/)
    expect(rendered(screen)).toBe('')
  })
})
