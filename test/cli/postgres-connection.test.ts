// Connection problems on PostgreSQL: one clear line, exit 1, never the password, never a hang.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { cli } from '../support/cli.ts'
import { freePort, silentListener } from '../support/ports.ts'
import { PG_TEST_PASSWORD } from '../support/postgres-server.ts'

const PASSWORD = 'Sup3r-S3cret-Pw'

let silent: { port: number; close(): Promise<void> }
let silentPort: number

beforeAll(async () => {
  silent = await silentListener()
  silentPort = silent.port
})

afterAll(() => silent.close())

describe('PostgreSQL connection failures', () => {
  test('refused: one line, exit 1, the password masked', async () => {
    const port = await freePort()
    const result = await cli(['servers', 'list'], { db: `postgresql://admin:${PASSWORD}@127.0.0.1:${port}/scalelite` })
    expect(result).toEqual({ stdout: '', stderr: `error: cannot connect to PostgreSQL at 127.0.0.1:${port}/scalelite: connection refused\n`, code: 1 })
  })

  test('refused with --json: the API error body, nothing on stdout', async () => {
    const port = await freePort()
    const result = await cli(['servers', 'list', '--json'], { db: `postgres://admin:${PASSWORD}@127.0.0.1:${port}/scalelite` })
    expect(result).toEqual({ stdout: '', stderr: `{"error":"cannot connect to PostgreSQL at 127.0.0.1:${port}/scalelite: connection refused"}\n`, code: 1 })
  })

  test('a server that never answers: connect_timeout ends the wait', async () => {
    const started = Date.now()
    const result = await cli(['servers', 'list'], { db: `postgresql://admin:${PASSWORD}@127.0.0.1:${silentPort}/scalelite?connect_timeout=1` })
    const elapsed = Date.now() - started
    expect(result).toEqual({ stdout: '', stderr: `error: cannot connect to PostgreSQL at 127.0.0.1:${silentPort}/scalelite: connection timed out\n`, code: 1 })
    expect(elapsed).toBeLessThan(5_000)
  })

  test('PGCONNECT_TIMEOUT is honoured when the URL sets none', async () => {
    const result = await cli(['tenants', 'list'], { db: `postgresql://admin:${PASSWORD}@127.0.0.1:${silentPort}/scalelite`, env: { PGCONNECT_TIMEOUT: '1' } })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`error: cannot connect to PostgreSQL at 127.0.0.1:${silentPort}/scalelite: connection timed out\n`)
  })

  test('a bad connect_timeout is a usage error', async () => {
    const result = await cli(['servers', 'list'], { db: `postgresql://admin:${PASSWORD}@127.0.0.1:${silentPort}/scalelite?connect_timeout=soon` })
    expect(result).toEqual({ stdout: '', stderr: "error: connect_timeout must be a number of seconds above 0, not 'soon'\n", code: 2 })
  })

  test('wrong password: named as such, the password never shown', async () => {
    const url = new URL(inject('pgPasswordUrl') || 'postgresql://unavailable')
    if (!url.password) return // TEST_PG_URL given: no password-protected role to try
    url.password = 'Wr0ng-Guess-Pw'
    const result = await cli(['servers', 'list'], { db: url.toString() })
    expect(result).toEqual({ stdout: '', stderr: `error: cannot connect to PostgreSQL at 127.0.0.1:${url.port}/postgres: password authentication failed\n`, code: 1 })
    expect(result.stderr).not.toContain('Wr0ng-Guess-Pw')
  })

  test('the right password works and is not needed in any output', async () => {
    const url = inject('pgPasswordUrl')
    if (!url) return
    // sa_password may not create tables in the shared postgres database, so this fails on the
    // migration; what matters is that the message never carries the password.
    const result = await cli(['servers', 'list', '--json'], { db: url })
    expect(result.stdout + result.stderr).not.toContain(PG_TEST_PASSWORD)
  })

  test('missing database: named as such', async () => {
    const url = new URL(inject('pgUrl'))
    url.pathname = '/no_such_database'
    url.password = PASSWORD
    const result = await cli(['servers', 'list'], { db: url.toString() })
    expect(result.stderr).not.toContain(PASSWORD)
    expect(result).toEqual({ stdout: '', stderr: `error: cannot connect to PostgreSQL at 127.0.0.1:${url.port}/no_such_database: database does not exist\n`, code: 1 })
  })
})
