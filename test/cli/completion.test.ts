// Shell completion: the scripts load in bash, and bash's completion function, driven as bash drives it
// (COMP_WORDS, COMP_CWORD), offers nouns, verbs, flags and option values from the command tree and
// servers and tenants from the database; the hidden `__complete` it calls prints nothing when the
// database cannot be read. zsh is checked only where it is installed.
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { deadPort } from '../support/bbb-server.ts'
import { BIN, cleanEnv, cli } from '../support/cli.ts'
import { BACKENDS, freshDb, removeTempDirs, tempDir } from '../support/db.ts'

afterAll(removeTempDirs)

const ok = (stdout: string) => ({ stdout, stderr: '', code: 0 })
const lines = (...words: string[]) => words.map((w) => `${w}\n`).join('')

const SERVER_ID = '6f1c0000-0000-4000-8000-000000000001'
const OTHER_ID = 'bbb2.example.com'

/** A folder with `scalelite-admin` in it (the built bin), as an installed tool would be on PATH. */
function installed(): string {
  const dir = tempDir('sa-completion-')
  const wrapper = path.join(dir, 'scalelite-admin')
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  chmodSync(wrapper, 0o755)
  return dir
}
const binDir = installed()

const bashQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`

/**
 * Loads `completion bash` into a fresh bash and runs its completion function on `words` (the line, the
 * last word being completed) as bash would; resolves to COMPREPLY, one a line.
 */
function bashComplete(words: string[], env: Record<string, string | undefined> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const script = [
    `source <(${bashQuote(process.execPath)} ${bashQuote(BIN)} completion bash) || exit 9`,
    `COMP_WORDS=(scalelite-admin ${words.map(bashQuote).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_scalelite_admin',
    'for reply in "${COMPREPLY[@]}"; do printf "%s\\n" "$reply"; done',
  ].join('\n')
  const fullEnv = cleanEnv({ HOME: tempDir(), ...env, PATH: `${binDir}:${process.env.PATH}` })
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env: fullEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : -1) : 0 })
    })
  })
}

/** A SQLite database made through the CLI: a tenant, a server with a UUID id and one whose id is its hostname. */
async function fleet(): Promise<{ url: string; tenantId: string }> {
  const url = `file:${path.join(tempDir(), 'fleet.db')}`
  const added = await cli(['--json', 'tenants', 'add', 'acme', 'acme-secret'], { db: url })
  expect(added.code).toBe(0)
  // servers sync creates servers with the ids of the document.
  const servers = {
    [SERVER_ID]: { url: 'https://bbb1.example.com/bigbluebutton/api', secret: 'a-long-secret-123' },
    [OTHER_ID]: { url: 'https://bbb2.example.com/bigbluebutton/api', secret: 'a-long-secret-456' },
  }
  const synced = await cli(['servers', 'sync', '-', '--mode', 'keep', '--json'], { db: url, input: JSON.stringify({ servers }) })
  expect(synced.code).toBe(0)
  return { url, tenantId: (JSON.parse(added.stdout) as { tenant: { id: string } }).tenant.id }
}

describe.concurrent('completion scripts', () => {
  test('completion bash and completion zsh print their scripts; another shell is a usage error', async () => {
    const [bash, zsh, fish] = await Promise.all([cli(['completion', 'bash']), cli(['completion', 'zsh']), cli(['completion', 'fish'])])

    expect(bash).toMatchObject({ stderr: '', code: 0 })
    expect(bash.stdout).toMatch(/^# bash completion for scalelite-admin\. Load it from ~\/\.bashrc with:\n#   source <\(scalelite-admin completion bash\)\n/)
    expect(bash.stdout).toMatch(/\ncomplete -o default -F _scalelite_admin scalelite-admin\n$/)
    expect(zsh).toMatchObject({ stderr: '', code: 0 })
    expect(zsh.stdout).toMatch(/^#compdef scalelite-admin\n/)
    expect(fish).toEqual({ stdout: '', stderr: "error: unknown shell 'fish' (choose: bash zsh)\n", code: 2 })
  })

  test('the bash script loads and registers its function', async () => {
    const script = `source <(${bashQuote(process.execPath)} ${bashQuote(BIN)} completion bash) && complete -p scalelite-admin`

    const out = execFileSync('bash', ['-c', script], { env: cleanEnv(), encoding: 'utf8' })

    expect(out).toBe('complete -o default -F _scalelite_admin scalelite-admin\n')
  })

  const zsh = (() => {
    try {
      return execFileSync('sh', ['-c', 'command -v zsh'], { encoding: 'utf8' }).trim()
    } catch {
      return ''
    }
  })()
  test.skipIf(zsh === '')('the zsh script parses (zsh -n) and loads', async () => {
    const file = path.join(tempDir(), '_scalelite-admin')
    writeFileSync(file, (await cli(['completion', 'zsh'])).stdout)

    expect(execFileSync(zsh, ['-n', file], { encoding: 'utf8' })).toBe('')
    expect(execFileSync(zsh, ['-fc', `autoload -Uz compinit && compinit -u && source ${bashQuote(file)} && echo \${_comps[scalelite-admin]}`], { encoding: 'utf8' })).toBe(
      '_scalelite_admin\n',
    )
  })
})

describe.concurrent('bash completes from the command tree', () => {
  const cases: [string, string[], string][] = [
    ['nouns', [''], lines('servers', 'tenants', 'import', 'audit', 'doctor', 'completion', 'help')],
    ['a noun by its start', ['te'], lines('tenants')],
    ['verbs', ['servers', 'p'], lines('panic', 'poll')],
    ['tenant verbs', ['tenants', ''], lines('list', 'show', 'add', 'update', 'delete', 'settings', 'help')],
    ['flags of a verb and the global ones', ['servers', 'panic', 'x', '--'], lines('--keep-state', '--skip-end-calls', '--yes', '--reason', '--help', '--version', '--database-url', '--redis-ca', '--json', '--no-color', '--show-secrets')],
    ['a flag by its start', ['servers', 'list', '--st'], lines('--state')],
    ['the values of --state', ['servers', 'list', '--state', ''], lines('enabled', 'cordoned', 'disabled')],
    ["update's --state takes verbs", ['servers', 'update', 'x', '--state', 'c'], lines('cordon')],
    ['a value after =, as bash splits it', ['servers', 'sync', 'f.yml', '--mode', '=', 'f'], lines('force')],
    ['the shells', ['completion', ''], lines('bash', 'zsh')],
    ['help: topics and nouns', ['help', 'e'], lines('exit-codes', 'environment')],
    ['help: verbs of a noun', ['help', 'servers', 'st'], lines('status')],
    ['nothing for a file: bash falls back to file names', ['servers', 'sync', ''], ''],
  ]

  test.for(cases)('%s', async ([, words, expected]) => {
    expect(await bashComplete(words)).toEqual(ok(expected))
  })
})

describe('bash completes servers and tenants from the database', () => {
  test('server ids and hostnames, tenant names and ids; from DATABASE_URL or --database-url on the line', async () => {
    const { url, tenantId } = await fleet()

    const [servers, prefix, tenants, fromFlag, fromFlagWithEquals, flagWins] = await Promise.all([
      bashComplete(['servers', 'show', ''], { DATABASE_URL: url }),
      bashComplete(['servers', 'panic', 'bbb1'], { DATABASE_URL: url }),
      bashComplete(['tenants', 'delete', ''], { DATABASE_URL: url }),
      bashComplete(['--database-url', url, 'servers', 'poll', 'bbb1.example.com', 'bbb'], {}),
      // bash splits `--database-url=file:/x` at = and :
      bashComplete(['--database-url', '=', 'file', ':', url.slice('file:'.length), 'servers', 'enable', '6f'], {}),
      bashComplete(['servers', 'show', '--database-url', url, 'bbb2'], { DATABASE_URL: 'file:/nonexistent/other.db' }),
    ])

    expect(servers).toEqual(ok(lines(SERVER_ID, 'bbb1.example.com', 'bbb2.example.com')))
    expect(prefix).toEqual(ok(lines('bbb1.example.com')))
    expect(tenants).toEqual(ok(lines(...[tenantId, 'acme'].sort())))
    expect(fromFlag).toEqual(ok(lines('bbb1.example.com', 'bbb2.example.com')))
    expect(fromFlagWithEquals).toEqual(ok(lines(SERVER_ID)))
    expect(flagWins).toEqual(ok(lines('bbb2.example.com')))
  })
})

describe.concurrent('__complete when the database cannot be read: nothing, exit 0, no error text', () => {
  test('a missing SQLite file (not created), an unsupported URL, refused PostgreSQL and Redis', async () => {
    const dir = tempDir()
    const missing = `file:${path.join(dir, 'missing.db')}`
    const port = await deadPort()

    const results = await Promise.all([
      cli(['__complete', '--', 'servers', 'show', ''], { db: missing }),
      cli(['__complete', '--', 'tenants', 'show', ''], { db: 'mysql://u:pw@127.0.0.1/x' }),
      cli(['__complete', '--', 'servers', 'show', ''], { db: `postgresql://u:pw@127.0.0.1:${port}/x` }),
      cli(['__complete', '--', '--database-url', `redis://127.0.0.1:${port}`, 'servers', 'show', '']),
      // The default database (HOME is a fresh folder): not created either.
      cli(['__complete', '--', 'servers', 'show', ''], { env: { HOME: dir } }),
    ])

    for (const result of results) expect(result).toEqual(ok(''))
    expect(existsSync(path.join(dir, 'missing.db'))).toBe(false)
    expect(existsSync(path.join(dir, '.local'))).toBe(false)
  })
})

describe.each(BACKENDS)('__complete on %s', (backend) => {
  test('a <server> argument: ids and hostnames; a <tenant> argument: names and ids', async () => {
    const db = await freshDb(backend)
    try {
      await db.insertServer({ id: SERVER_ID, url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's', state: 'enabled', online: true })
      await db.insertServer({ id: OTHER_ID, url: 'https://bbb2.example.com/bigbluebutton/api', secret: 's', state: 'disabled', online: false })
      await db.insertTenant({ id: 'tenant-id-1', name: 'acme', secrets: 's' })

      const [servers, tenants] = await Promise.all([
        cli(['__complete', '--', 'servers', 'show', ''], { db: db.url }),
        cli(['__complete', '--', 'tenants', 'update', 'a'], { db: db.url }),
      ])

      expect(servers).toEqual(ok(lines(SERVER_ID, 'bbb1.example.com', 'bbb2.example.com')))
      expect(tenants).toEqual(ok(lines('acme')))
    } finally {
      await db.drop()
    }
  })
})
