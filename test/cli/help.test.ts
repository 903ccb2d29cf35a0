// Help that teaches: the help topics, `help <command>` as that command's --help, and an audit of the
// whole command tree (every command has a summary, described arguments and examples). The topics are
// checked against the README and the source, so neither can drift from them.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { describe, expect, test } from 'vitest'
import { OPTION_VALUES } from '../../src/completion/complete.ts'
import { ENVIRONMENT } from '../../src/help/topics.ts'
import { buildProgram } from '../../src/main.ts'
import { cli } from '../support/cli.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const flat = (text: string) => text.replace(/`/g, '').replace(/\s+/g, ' ').trim()

/** Every command a user can run, by its path: the nouns, their verbs, and the top-level ones. */
function commandPaths(): { path: string[]; command: Command }[] {
  const found: { path: string[]; command: Command }[] = []
  const walk = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      if ((sub as unknown as { _hidden: boolean })._hidden) continue
      found.push({ path: [...path, sub.name()], command: sub })
      walk(sub, [...path, sub.name()])
    }
  }
  walk(buildProgram(), [])
  return found
}

describe.concurrent('help topics', () => {
  test('help exit-codes and help environment: their text on stdout, exit 0', async () => {
    const [codes, environment] = await Promise.all([cli(['help', 'exit-codes']), cli(['help', 'environment'])])

    expect({ ...codes, stdout: codes.stdout.split('\n').slice(0, 3) }).toEqual({
      stdout: ['Exit codes of scalelite-admin:', '', '  0  success, including a no-op'],
      stderr: '',
      code: 0,
    })
    expect({ ...environment, stdout: environment.stdout.split('\n').slice(0, 3) }).toEqual({
      stdout: [
        'Environment variables read by scalelite-admin (a global option, where there is one, wins):',
        '',
        "  DATABASE_URL                     the database: file:PATH (SQLite), postgresql://… / postgres://…,",
      ],
      stderr: '',
      code: 0,
    })
  })

  test("help exit-codes is the README's exit-code table and the notes under it, word for word", async () => {
    const section = README.slice(README.indexOf('\n## Exit codes\n'), README.indexOf('\n## ', README.indexOf('\n## Exit codes\n') + 1))
    const readmeRows = [...section.matchAll(/^\| (\d) \| (.+) \|$/gm)].map((m) => `  ${m[1]}  ${m[2]}`)
    const afterTable = section.slice(section.lastIndexOf('\n|') + 1).split('\n').slice(1).join('\n')
    const readmeNotes = afterTable.split(/\n\s*\n/).map(flat).filter(Boolean)

    const { stdout, code } = await cli(['help', 'exit-codes'])

    expect(code).toBe(0)
    const [table, ...notes] = stdout.split('\n\n').slice(1)
    expect(readmeRows).toHaveLength(6)
    expect(table!.split('\n')).toEqual(readmeRows)
    expect(notes.map(flat)).toEqual(readmeNotes)
  })

  test('help environment names every variable the source reads', async () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory() && entry.name !== 'generated') walk(full)
        else if (entry.name.endsWith('.ts')) files.push(full)
      }
    }
    walk(path.join(ROOT, 'src'))
    const read = new Set<string>()
    for (const file of files)
      for (const m of readFileSync(file, 'utf8').matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)|\(env, '([A-Z][A-Z0-9_]+)'/g)) read.add((m[1] ?? m[2]) as string)

    const { stdout } = await cli(['help', 'environment'])

    const listed = [...stdout.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm)].map((m) => m[1])
    expect(listed).toEqual(ENVIRONMENT.map(([name]) => name))
    expect([...read].filter((name) => !listed.includes(name))).toEqual([])
    for (const name of ['DATABASE_URL', 'REDIS_NAMESPACE', 'NO_COLOR', 'SERVER_ID_IS_HOSTNAME', 'LOADBALANCER_CHECKSUM_ALGORITHM', 'CONNECT_TIMEOUT', 'RESPONSE_TIMEOUT', 'XDG_DATA_HOME'])
      expect(listed).toContain(name)
  })

  test('help <command> is that command --help; help alone is --help', async () => {
    const [viaHelp, viaFlag, nounViaHelp, nounViaFlag, bare, flag] = await Promise.all([
      cli(['help', 'servers', 'add']),
      cli(['servers', 'add', '--help']),
      cli(['help', 'tenants']),
      cli(['tenants', '--help']),
      cli(['help']),
      cli(['--help']),
    ])

    expect(viaHelp).toMatchObject({ stderr: '', code: 0 })
    expect(viaHelp.stdout).toMatch(/^Usage: scalelite-admin servers add \[options\] \[url\] \[secret\]\n/)
    expect(viaHelp).toEqual(viaFlag)
    expect(nounViaHelp).toEqual(nounViaFlag)
    expect(bare).toEqual(flag)
  })

  test('help of an unknown command or topic: usage error, exit 2', async () => {
    const [unknown, unknownVerb, asJson] = await Promise.all([cli(['help', 'bogus']), cli(['help', 'servers', 'bogus']), cli(['help', 'bogus', '--json'])])

    expect(unknown).toEqual({ stdout: '', stderr: "error: unknown command or help topic 'bogus' (topics: exit-codes, environment)\n", code: 2 })
    expect(unknownVerb).toEqual({ stdout: '', stderr: "error: unknown command or help topic 'servers bogus' (topics: exit-codes, environment)\n", code: 2 })
    expect(asJson).toEqual({ stdout: '', stderr: `${JSON.stringify({ error: "unknown command or help topic 'bogus' (topics: exit-codes, environment)" })}\n`, code: 2 })
  })
})

describe('every command teaches', () => {
  const commands = commandPaths()

  test('the tree holds the nouns, their verbs and the top-level commands', () => {
    const paths = commands.map((c) => c.path.join(' '))
    for (const name of ['servers', 'servers add', 'servers panic', 'servers sync', 'tenants', 'tenants delete', 'import', 'completion', 'help'])
      expect(paths).toContain(name)
  })

  test('each has a one-line summary and a description for each argument', () => {
    for (const { path, command } of commands) {
      const name = path.join(' ')
      expect({ name, summary: /^\S[^\n]*$/.test(command.summary()) }).toEqual({ name, summary: true })
      for (const arg of command.registeredArguments) expect({ name, arg: arg.name(), described: arg.description.length > 0 }).toEqual({ name, arg: arg.name(), described: true })
    }
  })

  test('each --help: on stdout, exit 0, an Examples block with an example of that command', async () => {
    const results = await Promise.all(commands.map(({ path }) => cli([...path, '--help'])))

    for (const [i, result] of results.entries()) {
      const name = commands[i]!.path.join(' ')
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' })
      const block = /\nExamples:\n((?: {2}\$ .+\n)+)/.exec(result.stdout)
      expect({ name, examples: block !== null }).toEqual({ name, examples: true })
      expect(block![1], name).toContain(`scalelite-admin ${name}`)
    }
  })

  test("every option whose values completion offers exists on its command", () => {
    const program = buildProgram()
    for (const key of Object.keys(OPTION_VALUES)) {
      const words = key.split(' ')
      const flag = words.pop()
      const command = words.reduce<Command | undefined>((c, name) => c?.commands.find((s) => s.name() === name), program)
      expect({ key, exists: command?.options.some((o) => o.long === flag) }).toEqual({ key, exists: true })
    }
  })
})
