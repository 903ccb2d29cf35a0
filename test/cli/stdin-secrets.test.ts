// Secrets given as `-` come from stdin, so they stay out of shell history and the process list:
// `servers add <url> -`, `servers update --secret -`, `tenants add <name> -`, and `tenants update`
// with `--secrets -`, `--lrs-password -`, `--kc-client-secret -` or `--kc-password -`. Piped: all of
// stdin, one trailing newline stripped, stored exactly. On every backend; the no-echo question on a
// terminal is in terminal.test.ts.
import { randomUUID } from 'node:crypto'
import { afterAll, describe } from 'vitest'
import { cli, type CliResult } from '../support/cli.ts'
import { BACKENDS, removeTempDirs, type TestDb, withDb } from '../support/db.ts'

afterAll(removeTempDirs)

const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`
const failed = (code: number, message: string): CliResult => ({ stdout: '', stderr: `error: ${message}\n`, code })
const failedJson = (code: number, body: Record<string, string>): CliResult => ({ stdout: '', stderr: jsonLine(body), code })

const URL1 = 'https://bbb1.example.com/bigbluebutton/api'

/** Runs the CLI with `input` piped into stdin; the secret must not be among the arguments. */
const piped = (db: TestDb) => (input: string, ...args: string[]) => {
  for (const arg of args) if (input.trim() !== '' && arg.includes(input.trim())) throw new Error(`the secret is in argv: ${arg}`)
  return cli(args, { db: db.url, input })
}

async function seedTenant(db: TestDb, name = 'acme'): Promise<{ id: string; name: string; secrets: string }> {
  await db.prepare()
  const tenant = { id: randomUUID(), name, secrets: `${name}-secret` }
  await db.insertTenant(tenant)
  return tenant
}

async function seedServer(db: TestDb): Promise<string> {
  await db.prepare()
  const id = randomUUID()
  await db.insertServer({ id, url: URL1, secret: 'old-secret', state: 'enabled', online: true })
  return id
}

describe.each(BACKENDS)('secrets from stdin on %s', (backend) => {
  const it = withDb(backend)

  describe.concurrent('piped', () => {
    it('servers add <url> -: the secret as piped, without one trailing \\n or \\r\\n', async ({ db, expect }) => {
      await db.prepare()
      const [lf, crlf, bare] = await Promise.all([
        piped(db)('piped-secret-one\n', 'servers', 'add', URL1, '-', '--json'),
        piped(db)('piped-secret-two\r\n', 'servers', 'add', 'https://bbb2.example.com/bigbluebutton/api', '-', '--json'),
        piped(db)('piped secret three', 'servers', 'add', 'https://bbb3.example.com/bigbluebutton/api', '-', '--json'),
      ])

      for (const result of [lf, crlf, bare]) expect(result).toMatchObject({ stderr: '', code: 0 })
      expect([lf, crlf, bare].map((r) => (JSON.parse(r.stdout) as { secret: string }).secret)).toEqual(['piped-secret-one', 'piped-secret-two', 'piped secret three'])
      const stored = (await db.serverRows()).map((s) => [s.url, s.secret]).sort()
      expect(stored).toEqual([
        [URL1, 'piped-secret-one'],
        ['https://bbb2.example.com/bigbluebutton/api', 'piped-secret-two'],
        ['https://bbb3.example.com/bigbluebutton/api', 'piped secret three'],
      ])
    })

    it('servers update <server> --secret -: only one newline is stripped, everything else is kept', async ({ db, expect }) => {
      const id = await seedServer(db)

      const result = await piped(db)(' rotated secret \n\n', 'servers', 'update', 'bbb1.example.com', '--secret', '-', '--json')

      expect(result).toMatchObject({ stderr: '', code: 0 })
      expect((await db.serverRows()).map((s) => [s.id, s.secret])).toEqual([[id, ' rotated secret \n']])
    })

    it('tenants add <name> -, and tenants update --secrets - / --lrs-password - / --kc-client-secret - / --kc-password -', async ({ db, expect }) => {
      await db.prepare()
      const add = await piped(db)('first-secret:second-secret\n', 'tenants', 'add', 'acme', '-', '--json')
      expect(add).toMatchObject({ stderr: '', code: 0 })
      const [t] = await db.tenantRows()
      expect(t).toEqual({ id: t?.id, name: 'acme', secrets: 'first-secret:second-secret' })

      // Each changes other fields, so they may run at once.
      const results = await Promise.all([
        piped(db)('rotated-1:rotated-2\n', 'tenants', 'update', 'acme', '--secrets', '-', '--lrs-endpoint', 'https://lrs.example.com/xapi'),
        piped(db)('lrs-pass-from-stdin\n', 'tenants', 'update', 'acme', '--lrs-password', '-', '--lrs-username', 'lrs-user'),
        piped(db)('kc-secret-from-stdin\r\n', 'tenants', 'update', 'acme', '--kc-client-secret', '-'),
        piped(db)('kc-pass-from-stdin', 'tenants', 'update', 'acme', '--kc-password', '-', '--json'),
      ])

      for (const result of results) expect(result).toMatchObject({ stderr: '', code: 0 })
      expect(await db.tenantRows()).toEqual([{ id: t?.id, name: 'acme', secrets: 'rotated-1:rotated-2' }])
      expect(await db.tenantExtra(t?.id as string)).toEqual({
        lrs_endpoint: 'https://lrs.example.com/xapi',
        lrs_username: 'lrs-user',
        lrs_password: 'lrs-pass-from-stdin',
        kc_client_secret: 'kc-secret-from-stdin',
        kc_password: 'kc-pass-from-stdin',
      })
    }, 120_000)
  })

  describe.concurrent('refused, nothing written', () => {
    it('two or more values given as -: a usage error (exit 2)', async ({ db, expect }) => {
      const t = await seedTenant(db)

      const [two, three, json] = await Promise.all([
        piped(db)('one-secret\n', 'tenants', 'update', 'acme', '--secrets', '-', '--lrs-password', '-'),
        piped(db)('one-secret\n', 'tenants', 'update', 'acme', '--kc-password', '-', '--kc-client-secret', '-', '--lrs-password', '-', '--name', 'renamed'),
        piped(db)('one-secret\n', 'tenants', 'update', 'acme', '--lrs-password', '-', '--kc-password', '-', '--json'),
      ])

      expect(two).toEqual(failed(2, "Only one value can be read from stdin, but --secrets and --lrs-password are both '-'"))
      expect(three).toEqual(failed(2, "Only one value can be read from stdin, but --lrs-password and --kc-client-secret and --kc-password are all '-'"))
      expect(json).toEqual(failedJson(2, { error: "Only one value can be read from stdin, but --lrs-password and --kc-password are both '-'" }))
      expect(await db.tenantRows()).toEqual([t])
      expect(await db.tenantExtra(t.id)).toEqual({})
    })

    it('servers: empty stdin is the error of a missing secret (exit 2)', async ({ db, expect }) => {
      await db.prepare()
      const [empty, newline, blank, json] = await Promise.all([
        piped(db)('', 'servers', 'add', URL1, '-'),
        piped(db)('\n', 'servers', 'add', URL1, '-'),
        piped(db)('  \r\n', 'servers', 'add', URL1, '-'),
        piped(db)('', 'servers', 'add', URL1, '-', '--json'),
      ])
      expect(empty).toEqual(failed(2, 'Server needs a URL and a secret'))
      expect(newline).toEqual(failed(2, 'Server needs a URL and a secret'))
      expect(blank).toEqual(failed(2, 'Server needs a URL and a secret'))
      expect(json).toEqual(failedJson(2, { error: 'Server needs a URL and a secret' }))
      expect(await db.serverRows()).toEqual([])

      const id = await seedServer(db)
      const before = await db.serverRows()
      const [update, updateJson] = await Promise.all([
        piped(db)('\n', 'servers', 'update', id, '--secret', '-'),
        piped(db)('', 'servers', 'update', id, '--secret', '-', '--tag', 'x', '--json'),
      ])
      expect(update).toEqual(failed(2, 'No value for --secret was read from stdin'))
      expect(updateJson).toEqual(failedJson(2, { error: 'No value for --secret was read from stdin' }))
      expect(await db.serverRows()).toEqual(before)
    })

    it('tenants: empty stdin is the error of a missing value (exit 2); an lrs/kc secret is not unset by it', async ({ db, expect }) => {
      const t = await seedTenant(db)
      await db.setTenant(t.id, { lrs_password: 'kept', kc_client_secret: 'kept', kc_password: 'kept' })

      const [add, addJson, secrets, lrs, kcSecret, kcPassword] = await Promise.all([
        piped(db)('\n', 'tenants', 'add', 'other', '-'),
        piped(db)('', 'tenants', 'add', 'other', '-', '--json'),
        piped(db)('', 'tenants', 'update', 'acme', '--secrets', '-'),
        piped(db)('\n', 'tenants', 'update', 'acme', '--lrs-password', '-'),
        piped(db)('\r\n', 'tenants', 'update', 'acme', '--kc-client-secret', '-', '--json'),
        piped(db)(' ', 'tenants', 'update', 'acme', '--kc-password', '-', '--name', 'renamed'),
      ])

      const NEEDS = 'Error: both name and secrets are required to create a Tenant'
      expect(add).toEqual(failed(2, NEEDS))
      expect(addJson).toEqual(failedJson(2, { message: NEEDS }))
      expect(secrets).toEqual(failed(2, 'No value for --secrets was read from stdin'))
      expect(lrs).toEqual(failed(2, 'No value for --lrs-password was read from stdin'))
      expect(kcSecret).toEqual(failedJson(2, { error: 'No value for --kc-client-secret was read from stdin' }))
      expect(kcPassword).toEqual(failed(2, 'No value for --kc-password was read from stdin'))
      expect(await db.tenantRows()).toEqual([t])
      expect(await db.tenantExtra(t.id)).toEqual({ lrs_password: 'kept', kc_client_secret: 'kept', kc_password: 'kept' })
    })
  })
})
