// Help, version, usage errors and where the database is: what a user sees before any command runs.
// No database is needed except for the database-location tests, which use files of their own.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, test } from 'vitest'
import { cli, type CliResult } from '../support/cli.ts'
import { removeTempDirs, tempDir } from '../support/db.ts'

afterAll(removeTempDirs)

const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })
const usage = (message: string): CliResult => ({ stdout: '', stderr: `error: ${message}\n`, code: 2 })
const usageJson = (message: string): CliResult => ({ stdout: '', stderr: `${JSON.stringify({ error: message })}\n`, code: 2 })

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

describe.concurrent('help and version', () => {
  test('--help: usage, commands and an Examples section on stdout, exit 0', async ({ expect }) => {
    const [long, short] = await Promise.all([cli(['--help']), cli(['-h'])])

    expect(long).toMatchObject({ stderr: '', code: 0 })
    expect(long.stdout).toMatch(/^Usage: scalelite-admin \[options\] \[command\]\n/)
    expect(long.stdout).toMatch(/\n {2}servers +\S.*\n {2}tenants +\S/)
    expect(long.stdout).toMatch(/\nExamples:\n( {2}\$ scalelite-admin .+\n)+/)
    expect(long.stdout).toContain('$XDG_DATA_HOME/scalelite-admin/scalelite.db')
    expect(short).toEqual(long)
  })

  test('servers add --help: its arguments, options and examples on stdout, exit 0', async ({ expect }) => {
    const [flag, helpCommand] = await Promise.all([cli(['servers', 'add', '--help']), cli(['servers', 'help', 'add'])])

    expect(flag).toMatchObject({ stderr: '', code: 0 })
    expect(flag.stdout).toMatch(/^Usage: scalelite-admin servers add \[options\] \[url\] \[secret\]\n/)
    expect(flag.stdout).toMatch(/\n {2}--load-multiplier <n> /)
    expect(flag.stdout).toMatch(/\nExamples:\n( {2}\$ scalelite-admin servers add https:\/\/\S+ \S+.*\n)+/)
    expect(helpCommand).toEqual(flag)
  })

  test('every command has examples in its --help', async ({ expect }) => {
    const commands = [
      ...['list', 'show', 'add', 'update', 'enable', 'cordon', 'disable', 'remove', 'panic'].map((verb) => ['servers', verb]),
      ...['list', 'show', 'add', 'update', 'delete'].map((verb) => ['tenants', verb]),
      ...['list', 'add', 'remove'].map((verb) => ['tenants', 'settings', verb]),
    ]

    const results = await Promise.all(commands.map((command) => cli([...command, '--help'])))

    for (const [i, result] of results.entries()) {
      const name = commands[i]!.join(' ')
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' })
      expect(result.stdout, name).toContain(`\nExamples:\n  $ scalelite-admin ${name}`)
    }
  })

  test('--version and -V print the package.json version', async ({ expect }) => {
    const [long, short] = await Promise.all([cli(['--version']), cli(['-V'])])

    expect(long).toEqual(ok(`${VERSION}\n`))
    expect(short).toEqual(ok(`${VERSION}\n`))
  })
})

describe.concurrent('usage errors: exit 2, one line on stderr, nothing on stdout', () => {
  const cases: [string, string[], string][] = [
    ['an unknown command', ['bogus'], "unknown command 'bogus'"],
    ['a misspelled command', ['server', 'list'], "unknown command 'server' (Did you mean servers?)"],
    ['an unknown verb', ['tenants', 'remove', 'acme'], "unknown command 'remove'"],
    ['an unknown option', ['servers', 'list', '--bogus'], "unknown option '--bogus'"],
    ['an unknown global option', ['--bogus', 'servers', 'list'], "unknown option '--bogus'"],
    ['a missing required argument', ['servers', 'show'], "missing required argument 'server'"],
    ['a missing tenant argument', ['tenants', 'delete'], "missing required argument 'tenant'"],
    ['an option without its value', ['tenants', 'update', 'acme', '--name'], "option '--name <name>' argument missing"],
    ['too many arguments', ['servers', 'show', 'a', 'b'], "too many arguments for 'show'. Expected 1 argument but got 2."],
  ]

  test.for(cases)('%s', async ([, args, message], { expect }) => {
    const [human, asJson] = await Promise.all([cli(args), cli([...args, '--json'])])

    expect(human).toEqual(usage(message))
    expect(asJson).toEqual(usageJson(message))
  })

  test('a bare noun (or nothing at all) shows its help on stderr and exits 2; with --json a last line {"error":…}', async ({ expect }) => {
    const [servers, tenants, nothing, asJson] = await Promise.all([cli(['servers']), cli(['tenants']), cli([]), cli(['servers', '--json'])])

    expect(servers).toMatchObject({ stdout: '', code: 2 })
    expect(servers.stderr).toMatch(/^Usage: scalelite-admin servers \[options\] \[command\]\n/)
    expect(servers.stderr).toMatch(/\n {2}list \[options\] +\S/)
    expect(servers.stderr).toMatch(/\n {2}panic \[options\] <server> +\S/)
    expect(tenants).toMatchObject({ stdout: '', code: 2 })
    expect(tenants.stderr).toMatch(/^Usage: scalelite-admin tenants \[options\] \[command\]\n/)
    expect(tenants.stderr).toMatch(/\n {2}delete \[options\] <tenant> +\S/)
    expect(nothing).toMatchObject({ stdout: '', code: 2 })
    expect(nothing.stderr).toMatch(/^Usage: scalelite-admin \[options\] \[command\]\n/)
    expect(asJson).toEqual({ stdout: '', stderr: `${servers.stderr}{"error":"missing command"}\n`, code: 2 })
  })
})

describe.concurrent('the database URL', () => {
  const MYSQL = 'mysql://u:pw@h/db'
  const unsupported = "Unsupported database URL 'mysql://u:****@h/db': use file:PATH, postgresql://… or redis://…"

  test('an unsupported scheme is exit 2 and never shows the password', async ({ expect }) => {
    const home = tempDir()
    const results = await Promise.all([
      cli(['tenants', 'list'], { env: { DATABASE_URL: MYSQL, HOME: home } }),
      cli(['tenants', 'list', '--json'], { env: { DATABASE_URL: MYSQL, HOME: home } }),
      cli(['--database-url', MYSQL, 'servers', 'list'], { env: { HOME: home } }),
    ])

    expect(results).toEqual([usage(unsupported), usageJson(unsupported), usage(unsupported)])
    for (const result of results) expect(result.stderr).not.toMatch(/:pw@|\bpw\b/)
  })

  test('--database-url wins over DATABASE_URL', async ({ expect }) => {
    const dir = tempDir()
    const [flagDb, envDb] = [`file:${path.join(dir, 'flag.db')}`, `file:${path.join(dir, 'env.db')}`]

    expect(await cli(['--database-url', flagDb, 'tenants', 'list', '--json'], { env: { DATABASE_URL: MYSQL } })).toEqual(ok('[]\n'))
    expect(await cli(['--database-url', flagDb, 'tenants', 'add', 'acme', 'secret', '--json'], { db: envDb })).toMatchObject({ stderr: '', code: 0 })

    const [viaFlag, viaEnv] = await Promise.all([
      cli(['tenants', 'list', '--json'], { db: flagDb }),
      cli(['tenants', 'list', '--json'], { db: envDb }),
    ])
    expect(viaFlag.stdout).toContain('"name":"acme"')
    expect(viaEnv).toEqual(ok('[]\n'))
  })

  test('unset: the first command creates $XDG_DATA_HOME/scalelite-admin/scalelite.db (mode 0600) and its folder', async ({ expect }) => {
    const xdg = path.join(tempDir(), 'not-yet', 'data')
    const env = { XDG_DATA_HOME: xdg }

    const added = await cli(['tenants', 'add', 'acme', 'secret', '--json'], { env })

    expect(added).toMatchObject({ stderr: '', code: 0 })
    const folder = path.join(xdg, 'scalelite-admin')
    const file = path.join(folder, 'scalelite.db')
    expect(statSync(folder).isDirectory()).toBe(true)
    expect(statSync(file).isFile()).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // The next command finds the same database; an empty DATABASE_URL counts as unset.
    const listed = await cli(['tenants', 'list', '--json'], { env: { ...env, DATABASE_URL: '' } })
    expect(listed.stdout).toContain('"name":"acme"')
  })

  test('unset, without XDG_DATA_HOME: ~/.local/share/scalelite-admin/scalelite.db', async ({ expect }) => {
    const home = tempDir()

    expect(await cli(['tenants', 'list', '--json'], { env: { HOME: home } })).toEqual(ok('[]\n'))

    expect(statSync(path.join(home, '.local', 'share', 'scalelite-admin', 'scalelite.db')).mode & 0o777).toBe(0o600)
  })
})
