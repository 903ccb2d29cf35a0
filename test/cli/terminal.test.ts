// The CLI on a real terminal (a pseudo-terminal from util-linux `script`) against the CLI in a pipe:
// the [y/N] question of the destructive commands, colour, and tables. Confirmation and rendering do
// not depend on the database, so these run on SQLite only; the rows a test starts from are written
// by the fixture helpers of test/support/db.ts.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, test } from 'vitest'
import { cli, type CliResult } from '../support/cli.ts'
import { freshDb, removeTempDirs, tempDir, type TestDb } from '../support/db.ts'
import { onTerminal, plain } from '../support/pty.ts'
import { createSchema, insertMeeting, insertServer } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })
const ABORTED = 'error: Aborted: nothing was changed\n'
const ANY_ESCAPE = /\x1b\[/

const it = test.extend<{ db: TestDb }>({
  // The empty pattern is how vitest learns that this fixture needs no other.
  db: async ({}, use) => {
    const db = await freshDb('sqlite')
    await use(db)
    await db.drop()
  },
})

interface ServerRow {
  id: string
  url: string
  secret: string
  state: 'enabled' | 'cordoned' | 'disabled'
  online: boolean
}

const server = (n: number, more: Partial<ServerRow> = {}): ServerRow => ({
  id: `0000000${n}-0000-4000-8000-00000000000${n}`,
  url: `https://bbb${n}.example.com/bigbluebutton/api`,
  secret: `bbb${n}-secret-long`,
  state: 'enabled',
  online: true,
  ...more,
})

/** The schema, as the first command leaves it, these servers (two meetings each) and these tenants. */
async function seed(db: TestDb, servers: ServerRow[], tenants: string[] = []): Promise<{ id: string; name: string }[]> {
  await createSchema(db)
  for (const s of servers) {
    await insertServer(db, s)
    for (const m of [1, 2]) await insertMeeting(db, `${s.id}-meeting-${m}`, s.id)
  }
  const seeded = tenants.map((name) => ({ id: randomUUID(), name }))
  for (const t of seeded) await db.insertTenant({ ...t, secrets: `${t.name}-secret` })
  return seeded
}

/** What a test checks the database for after a destructive command: its object, and for servers its state and meetings. */
async function state(db: TestDb, kind: 'server' | 'tenant', id: string): Promise<string> {
  if (kind === 'tenant') return (await db.tenantRows()).some((t) => t.id === id) ? 'present' : 'gone'
  const state = await db.serverState(id)
  const meetings = (await db.meetingRows()).filter((m) => m.server_id === id)
  return state ? `${state}, ${meetings.length} meetings` : 'gone'
}

// The destructive commands: their question, what they print, and the database before and after.
const DESTRUCTIVE = [
  {
    name: 'servers remove',
    kind: 'server' as const,
    args: (id: string) => ['servers', 'remove', id, '--force'],
    question: (id: string, n: number) => `Remove server ${id} (${server(n).url})? [y/N] `,
    done: (id: string) => `Server id=${id} was destroyed\n`,
    before: 'enabled, 2 meetings',
    after: 'gone',
  },
  {
    name: 'servers panic --skip-end-calls',
    kind: 'server' as const,
    args: (id: string) => ['servers', 'panic', id, '--skip-end-calls'],
    question: (id: string, n: number) => `End every meeting of server ${id} (${server(n).url})? [y/N] `,
    done: (id: string) => `Server id=${id} has been disabled and the meetings have been destroyed\n`,
    before: 'enabled, 2 meetings',
    after: 'disabled, 0 meetings',
  },
  {
    name: 'tenants delete',
    kind: 'tenant' as const,
    args: (id: string) => ['tenants', 'delete', id],
    question: (id: string, n: number) => `Delete tenant tenant-${n} (${id})? [y/N] `,
    done: (id: string) => `Tenant id=${id} was destroyed\n`,
    before: 'present',
    after: 'gone',
  },
]

/** Seeds servers 1..n and tenants tenant-1..tenant-n; returns the ids a command of `kind` takes. */
async function targets(db: TestDb, kind: 'server' | 'tenant', n: number): Promise<string[]> {
  const numbers = Array.from({ length: n }, (_, i) => i + 1)
  const tenants = await seed(
    db,
    numbers.map((i) => server(i)),
    numbers.map((i) => `tenant-${i}`),
  )
  return kind === 'server' ? numbers.map((i) => server(i).id) : tenants.map((t) => t.id)
}

describe.concurrent.each(DESTRUCTIVE)('$name', ({ kind, args, question, done, before, after }) => {
  it('on a terminal: n, Enter, Ctrl-D, Ctrl-C or any other answer aborts with exit 2 and changes nothing', async ({ db, expect }) => {
    const [id] = (await targets(db, kind, 1)) as [string]
    const answers = [
      { answer: 'n', echo: 'n' },
      { answer: '', echo: '' },
      { answer: 'EOF', echo: '' },
      { answer: 'INTERRUPT', echo: '' },
      { answer: 'nope', echo: 'nope' },
    ]

    const results = await Promise.all(answers.map(({ answer }) => onTerminal(args(id), { db: db.url, answer })))

    for (const [i, { answer, echo }] of answers.entries()) {
      const { screen, code, asked } = results[i]!
      expect({ answer, screen: plain(screen), code, asked }).toEqual({ answer, screen: `${question(id, 1)}${echo}\n${ABORTED}`, code: 2, asked: true })
    }
    expect(await state(db, kind, id)).toBe(before)
  })

  it('goes ahead on y or yes (any case) on a terminal, on --yes without asking, and without a terminal without asking', async ({ db, expect }) => {
    const [a, b, c, d] = (await targets(db, kind, 4)) as [string, string, string, string]

    const [y, yes, flag, piped] = await Promise.all([
      onTerminal(args(a), { db: db.url, answer: 'y' }),
      onTerminal(args(b), { db: db.url, answer: 'YES' }),
      onTerminal([...args(c), '--yes'], { db: db.url }),
      // Not a terminal: nothing is asked even with an answer waiting on stdin.
      cli(args(d), { db: db.url, input: 'n\n' }),
    ])

    expect({ ...y, screen: plain(y.screen) }).toEqual({ screen: `${question(a, 1)}y\n${done(a)}`, code: 0, asked: true })
    expect({ ...yes, screen: plain(yes.screen) }).toEqual({ screen: `${question(b, 2)}YES\n${done(b)}`, code: 0, asked: true })
    expect(flag).toEqual({ screen: done(c), code: 0, asked: false })
    expect(piped).toEqual(ok(done(d)))
    for (const id of [a, b, c, d]) expect(await state(db, kind, id)).toBe(after)
  })
})

describe.concurrent('which streams make a terminal', () => {
  it('the question goes to stderr: with stdout in a file it is still asked, and the file gets only the JSON', async ({ db, expect }) => {
    const [t] = await seed(db, [], ['tenant-1'])
    const file = path.join(tempDir(), 'out.json')

    const result = await onTerminal(['tenants', 'delete', t!.id, '--json'], { db: db.url, answer: 'y', redirect: `> '${file}'` })

    expect({ ...result, screen: plain(result.screen) }).toEqual({ screen: `Delete tenant tenant-1 (${t!.id})? [y/N] y\n`, code: 0, asked: true })
    expect(readFileSync(file, 'utf8')).toBe(`{"success":"Tenant id=${t!.id} was destroyed"}\n`)
  })

  it('stdin or stderr not a terminal: nothing is asked and the command goes ahead', async ({ db, expect }) => {
    const [t1, t2] = await seed(db, [], ['tenant-1', 'tenant-2'])

    const [noStdin, noStderr] = await Promise.all([
      onTerminal(['tenants', 'delete', t1!.id], { db: db.url, redirect: '< /dev/null' }),
      onTerminal(['tenants', 'delete', t2!.id], { db: db.url, redirect: '2> /dev/null' }),
    ])

    expect(noStdin).toEqual({ screen: `Tenant id=${t1!.id} was destroyed\n`, code: 0, asked: false })
    expect(noStderr).toEqual({ screen: `Tenant id=${t2!.id} was destroyed\n`, code: 0, asked: false })
    expect(await db.tenantRows()).toEqual([])
  })
})

describe.concurrent("a secret given as '-' on a terminal", () => {
  it('is asked for on stderr without echo; Backspace edits; stored as typed', async ({ db, expect }) => {
    await seed(db, [server(1)])
    const dir = tempDir()

    const [tenant, update, human] = await Promise.all([
      onTerminal(['tenants', 'add', 'acme', '-', '--json'], { db: db.url, prompt: 'Secrets: ', answer: 'typed-secret-one:typed-secret-two', redirect: `> '${dir}/tenant.json'` }),
      onTerminal(['servers', 'update', server(1).id, '--secret', '-', '--json'], { db: db.url, prompt: 'Secret: ', answer: 'rotatedX-secret', redirect: `> '${dir}/server.json'` }),
      onTerminal(['tenants', 'update', 'acme-2', '--kc-password', '-'], { db: db.url, prompt: 'Keycloak password: ', answer: 'typed-kc-password' }),
    ])

    // Nothing of the answer on the screen: only the question and the end of its line.
    expect(tenant).toEqual({ screen: 'Secrets: \n', code: 0, asked: true })
    expect(update).toEqual({ screen: 'Secret: \n', code: 0, asked: true })
    expect(JSON.parse(readFileSync(path.join(dir, 'tenant.json'), 'utf8')).tenant.secrets).toBe('typed-secret-one:typed-secret-two')
    expect(JSON.parse(readFileSync(path.join(dir, 'server.json'), 'utf8')).secret).toBe('rotated-secret')
    expect((await db.tenantRows()).map((t) => t.secrets)).toEqual(['typed-secret-one:typed-secret-two'])
    // The tenant to update did not exist: asked first, then not found; nothing echoed either.
    expect({ ...human, screen: plain(human.screen) }).toEqual({ screen: "Keycloak password: \nerror: Couldn't find Tenant with id=acme-2\n", code: 3, asked: true })
  })

  it('Ctrl-C at the question aborts with exit 2; without a terminal on stderr nothing is asked and nothing written', async ({ db, expect }) => {
    await seed(db, [])

    const [interrupted, noStderr] = await Promise.all([
      onTerminal(['tenants', 'add', 'acme', '-'], { db: db.url, prompt: 'Secrets: ', answer: 'INTERRUPT' }),
      onTerminal(['tenants', 'add', 'acme', '-'], { db: db.url, prompt: 'Secrets: ', redirect: '2> /dev/null' }),
    ])

    expect({ ...interrupted, screen: plain(interrupted.screen) }).toEqual({ screen: 'Secrets: \nerror: Aborted: nothing was changed\n', code: 2, asked: true })
    expect(noStderr).toEqual({ screen: '', code: 2, asked: false })
    expect(await db.tenantRows()).toEqual([])
  })
})

/** A cli-table3 table, split into its rows of trimmed cells; its border lines must be where they belong. */
function tableRows(screen: string): string[][] {
  const lines = screen.trimEnd().split('\n')
  const rows: string[][] = []
  for (const [i, line] of lines.entries()) {
    const border = i === 0 ? /^┌─[─┬]*┐$/ : i === lines.length - 1 ? /^└─[─┴]*┘$/ : line.startsWith('├') ? /^├─[─┼]*┤$/ : undefined
    if (border && !border.test(line)) throw new Error(`not a table border, line ${i}: ${line}\n${screen}`)
    if (border) continue
    if (!/^│ .* │$/.test(line)) throw new Error(`not a table row, line ${i}: ${line}\n${screen}`)
    rows.push(line.slice(1, -1).split('│').map((cell) => cell.trim()))
  }
  return rows
}

const SERVER_HEADER = ['ID', 'URL', 'SECRET', 'TAG', 'BBB VERSION', 'STATE', 'LOAD', 'MULTIPLIER', 'ONLINE']

describe.concurrent('colour and tables', () => {
  it('servers list on a terminal: a cli-table3 table with a coloured header row, sorted by hostname, secrets masked', async ({ db, expect }) => {
    // Ids in the other order than the hostnames.
    const s1 = server(1, { id: '00000009-0000-4000-8000-000000000009', state: 'disabled', online: false })
    const s2 = server(2, { id: '00000001-0000-4000-8000-000000000001', state: 'cordoned', secret: 'short' })
    await seed(db, [s2, s1])

    const { screen, code, asked } = await onTerminal(['servers', 'list'], { db: db.url })

    expect({ code, asked }).toEqual({ code: 0, asked: false })
    expect(screen).toContain('\x1b[1mID\x1b[22m')
    expect(screen).toContain('\x1b[31mdisabled\x1b[39m')
    expect(screen).toContain('\x1b[33mcordoned\x1b[39m')
    expect(tableRows(plain(screen))).toEqual([
      SERVER_HEADER,
      [s1.id, s1.url, 'bbb****ong', '', '', 'disabled', 'unavailable', '1.0', 'offline'],
      [s2.id, s2.url, '****', '', '', 'cordoned', 'unavailable', '1.0', 'online'],
    ])
  })

  it('NO_COLOR=1 or --no-color: the same table without a colour code; NO_COLOR= (empty) keeps colour', async ({ db, expect }) => {
    await seed(db, [server(1), server(2, { state: 'disabled' })])

    const [coloured, noColorEnv, noColorFlag, emptyNoColor] = await Promise.all([
      onTerminal(['servers', 'list'], { db: db.url }),
      onTerminal(['servers', 'list'], { db: db.url, env: { NO_COLOR: '1' } }),
      onTerminal(['--no-color', 'servers', 'list'], { db: db.url }),
      onTerminal(['servers', 'list'], { db: db.url, env: { NO_COLOR: '' } }),
    ])

    expect(coloured.screen).toMatch(ANY_ESCAPE)
    for (const result of [noColorEnv, noColorFlag]) {
      expect(result.code).toBe(0)
      expect(result.screen).not.toMatch(ANY_ESCAPE)
      expect(result.screen).toBe(plain(coloured.screen))
    }
    expect(emptyNoColor.screen).toBe(coloured.screen)
  })

  it('piped on a terminal session: tab-separated rows, no header, no colour', async ({ db, expect }) => {
    await seed(db, [server(1)], ['tenant-1'])
    const s = server(1)

    const [servers, tenants] = await Promise.all([
      onTerminal(['servers', 'list'], { db: db.url, redirect: '| cat' }),
      onTerminal(['tenants', 'list'], { db: db.url, redirect: '| cat' }),
    ])

    expect(servers).toEqual({ screen: `${s.id}\t${s.url}\tbbb****ong\t\t\tenabled\tunavailable\t1.0\tonline\n`, code: 0, asked: false })
    expect(tenants.screen).toMatch(/^[0-9a-f-]{36}\ttenant-1\tten\*\*\*\*ret\n$/)
    expect(tenants.screen).not.toMatch(ANY_ESCAPE)
  })

  it('--json on a terminal: the same one document as in a pipe, no colour', async ({ db, expect }) => {
    await seed(db, [server(1), server(2, { state: 'cordoned' })], ['tenant-1'])

    const runs = [['servers', 'list', '--json'], ['tenants', 'list', '--json'], ['servers', 'show', 'bbb1.example.com', '--json']]
    const [onTty, piped] = await Promise.all([
      Promise.all(runs.map((args) => onTerminal(args, { db: db.url }))),
      Promise.all(runs.map((args) => cli(args, { db: db.url }))),
    ])

    for (const [i, result] of onTty.entries()) {
      expect(result).toEqual({ screen: piped[i]!.stdout, code: 0, asked: false })
      expect(result.screen).not.toMatch(ANY_ESCAPE)
    }
  })

  it('tenants list and show on a terminal: tables, secrets masked', async ({ db, expect }) => {
    const [t] = await seed(db, [], ['tenant-1'])

    const [list, show] = await Promise.all([onTerminal(['tenants', 'list'], { db: db.url }), onTerminal(['tenants', 'show', 'tenant-1'], { db: db.url })])

    expect(list.screen).toContain('\x1b[1mNAME\x1b[22m')
    expect(tableRows(plain(list.screen))).toEqual([
      ['ID', 'NAME', 'SECRETS'],
      [t!.id, 'tenant-1', 'ten****ret'],
    ])
    expect(tableRows(plain(show.screen))).toEqual([
      ['id', t!.id],
      ['name', 'tenant-1'],
      ['secrets', 'ten****ret'],
    ])
  })

  it('an error on a terminal: a red "error:" unless NO_COLOR; with --json the plain body', async ({ db, expect }) => {
    await seed(db, [])

    const [coloured, noColor, asJson, piped] = await Promise.all([
      onTerminal(['servers', 'show', 'nope'], { db: db.url }),
      onTerminal(['servers', 'show', 'nope'], { db: db.url, env: { NO_COLOR: '1' } }),
      onTerminal(['servers', 'show', 'nope', '--json'], { db: db.url }),
      cli(['servers', 'show', 'nope'], { db: db.url }),
    ])

    expect(coloured).toEqual({ screen: "\x1b[31merror:\x1b[39m Couldn't find server with id=nope\n", code: 3, asked: false })
    expect(noColor).toEqual({ screen: "error: Couldn't find server with id=nope\n", code: 3, asked: false })
    expect(asJson).toEqual({ screen: `{"error":"Couldn't find server with id=nope"}\n`, code: 3, asked: false })
    expect(piped).toEqual({ stdout: '', stderr: "error: Couldn't find server with id=nope\n", code: 3 })
  })
})
