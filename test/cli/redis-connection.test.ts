// Connecting to a Scalelite's Redis as operators will: a password (percent-encoded) or an ACL user in
// the URL, the redis://h:password@ form that Scalelite's redis-rb accepts, rediss:// with --redis-ca,
// and the failures: one line, exit 1, never the password, never a hang; Redis Cluster refused. Each
// case has a redis-server of its own (test/support/redis-server.ts) on 127.0.0.1 or a unix socket.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cli, json } from '../support/cli.ts'
import { removeTempDirs, tempDir } from '../support/db.ts'
import { freePort, silentListener } from '../support/ports.ts'
import { startRedis, type RedisServer } from '../support/redis-server.ts'

afterAll(removeTempDirs)

const PASSWORD = 'p@ss:w/rd#1'
const ENCODED = encodeURIComponent(PASSWORD)
/** The rights the README asks for: our keys only, reads and writes, transactions and scripts. */
const ACL_RIGHTS = '~scalelite:* +@read +@write +@transaction +@connection +eval +evalsha +info'

describe('passwords and ACL users', () => {
  let redis: RedisServer
  let at: string
  beforeAll(async () => {
    redis = await startRedis({
      tcp: true,
      password: PASSWORD,
      config: [`requirepass "${PASSWORD}"`, `user operator on >operator-pw ${ACL_RIGHTS}`, 'user noscript on >noscript-pw ~scalelite:* +@read +@write +@transaction +@connection'],
    })
    at = `127.0.0.1:${redis.port}`
  })
  afterAll(() => redis.stop())

  test('the password in the URL, percent-encoded; without it, "authentication required"', async () => {
    const [withPassword, without] = await Promise.all([
      cli(['tenants', 'add', 'acme', 'acme-secret', '--json'], { db: `redis://:${ENCODED}@${at}/1` }),
      cli(['tenants', 'list'], { db: `redis://${at}/1` }),
    ])

    expect(withPassword).toMatchObject({ stderr: '', code: 0 })
    expect(without).toEqual({ stdout: '', stderr: `error: cannot connect to Redis at ${at}/1: authentication required, and the URL gives no password\n`, code: 1 })
  })

  test('redis://h:password@… as in Scalelite\'s REDIS_URL: the user part is dropped when Redis refuses it, as redis-rb does', async () => {
    const result = await cli(['tenants', 'list', '--json'], { db: `redis://h:${ENCODED}@${at}/2` })
    expect(result).toEqual({ stdout: '[]\n', stderr: '', code: 0 })
  })

  test('a wrong password: one line, exit 1, the password shown nowhere', async () => {
    const wrong = 'Wr0ng-Guess-Pw'
    const results = await Promise.all([
      cli(['servers', 'list'], { db: `redis://:${wrong}@${at}` }),
      cli(['servers', 'list', '--json'], { db: `redis://operator:${wrong}@${at}` }),
    ])

    expect(results).toEqual([
      { stdout: '', stderr: `error: cannot connect to Redis at ${at}: authentication failed (wrong user name or password)\n`, code: 1 },
      { stdout: '', stderr: `{"error":"cannot connect to Redis at ${at}: authentication failed (wrong user name or password)"}\n`, code: 1 },
    ])
  })

  test('an ACL user with the rights the README names can run every command', async () => {
    const db = `redis://operator:operator-pw@${at}`
    const run = (...args: string[]) => cli([...args, '--json'], { db })

    const added = await run('servers', 'add', 'https://bbb1.example.com/bigbluebutton/api', 'bbb-secret', '--enable')
    expect(added).toMatchObject({ stderr: '', code: 0 })
    const { id } = json<{ id: string }>(added)
    for (const args of [
      ['servers', 'list'],
      ['servers', 'cordon', id],
      ['servers', 'update', id, '--tag', 'big', '--state', 'enable'],
      ['servers', 'panic', id, '--skip-end-calls'],
      ['servers', 'remove', id],
      ['tenants', 'add', 'acl-tenant', 'acl-secret'],
      ['tenants', 'update', 'acl-tenant', '--name', 'acl-renamed'],
      ['tenants', 'show', 'acl-renamed'],
      ['tenants', 'delete', 'acl-renamed'],
    ])
      expect({ args, ...(await run(...args)) }).toMatchObject({ args, stderr: '', code: 0 })
  })

  test('a user without the right to run scripts, or outside its keys: one line naming the missing right, exit 1', async () => {
    const [noScript, otherNamespace] = await Promise.all([
      cli(['tenants', 'add', 'acme', 'secret'], { db: `redis://noscript:noscript-pw@${at}` }),
      cli(['servers', 'list'], { db: `redis://operator:operator-pw@${at}`, env: { REDIS_NAMESPACE: 'other' } }),
    ])

    const readme = '(see "Using it on an existing Scalelite" in the README for the rights it needs)'
    expect(noScript).toEqual({ stdout: '', stderr: `error: the Redis user may not do this: NOPERM this user has no permissions to run the 'eval' command ${readme}\n`, code: 1 })
    expect(otherNamespace).toEqual({
      stdout: '',
      stderr: `error: the Redis user may not do this: NOPERM this user has no permissions to access one of the keys used as arguments ${readme}\n`,
      code: 1,
    })
  })
})

describe('no server, a silent one, a missing socket', () => {
  let silent: { port: number; close(): Promise<void> }
  let silentPort: number
  beforeAll(async () => {
    silent = await silentListener()
    silentPort = silent.port
  })
  afterAll(() => silent.close())

  test('refused: one line, exit 1, the password masked', async () => {
    const port = await freePort()
    const result = await cli(['servers', 'list', '--json'], { db: `redis://:Sup3r-S3cret@127.0.0.1:${port}/3` })
    expect(result).toEqual({ stdout: '', stderr: `{"error":"cannot connect to Redis at 127.0.0.1:${port}/3: connection refused"}\n`, code: 1 })
  })

  test('a server that never answers: connect_timeout ends the wait', async () => {
    const started = Date.now()
    const result = await cli(['servers', 'list'], { db: `redis://127.0.0.1:${silentPort}?connect_timeout=1` })
    expect(result).toEqual({ stdout: '', stderr: `error: cannot connect to Redis at 127.0.0.1:${silentPort}: connection timed out\n`, code: 1 })
    expect(Date.now() - started).toBeLessThan(4_000)
  })

  test('a socket that is not there', async () => {
    const socket = path.join(tempDir(), 'redis.sock')
    expect(await cli(['tenants', 'list'], { db: `unix://${socket}` })).toEqual({
      stdout: '',
      stderr: `error: cannot connect to Redis at unix socket ${socket}: no such socket\n`,
      code: 1,
    })
  })
})

describe('rediss://', () => {
  let redis: RedisServer
  let ca: string
  beforeAll(async () => {
    // A throw-away CA and a server certificate for localhost and 127.0.0.1.
    const dir = tempDir('sa-tls-')
    const file = (name: string) => path.join(dir, name)
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sa-test-ca', '-keyout', file('ca.key'), '-out', file('ca.crt'))
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr'))
    writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
    openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', file('server.crt'))
    ca = file('ca.crt')
    redis = await startRedis({ tcp: true, tls: { cert: file('server.crt'), key: file('server.key'), ca } })
  })
  afterAll(() => redis?.stop())

  test('with --redis-ca the certificate is verified and the commands work', async () => {
    const results = await Promise.all([
      cli(['--redis-ca', ca, 'tenants', 'add', 'tls-tenant', 'tls-secret', '--json'], { db: `rediss://localhost:${redis.port}` }),
      cli(['--redis-ca', ca, 'tenants', 'list', '--json'], { db: `rediss://127.0.0.1:${redis.port}/4` }),
    ])
    expect(results[0]).toMatchObject({ stderr: '', code: 0 })
    expect(results[1]).toEqual({ stdout: '[]\n', stderr: '', code: 0 })
  })

  test('without the CA: a TLS failure that names --redis-ca; a CA file that is not there is a usage error', async () => {
    const [unknownCa, missingFile] = await Promise.all([
      cli(['tenants', 'list'], { db: `rediss://localhost:${redis.port}` }),
      cli(['--redis-ca', '/nonexistent/ca.pem', 'tenants', 'list'], { db: `rediss://localhost:${redis.port}` }),
    ])

    expect(unknownCa).toEqual({
      stdout: '',
      stderr: `error: cannot connect to Redis at localhost:${redis.port}: TLS failed: self-signed certificate in certificate chain (give the CA with --redis-ca FILE or NODE_EXTRA_CA_CERTS)\n`,
      code: 1,
    })
    expect(missingFile).toEqual({ stdout: '', stderr: 'error: cannot read --redis-ca /nonexistent/ca.pem: ENOENT\n', code: 2 })
  })
})

test('Redis Cluster is refused with a clear line, exit 2', async () => {
  const dir = tempDir('sa-cluster-')
  const redis = await startRedis({ tcp: true, config: ['cluster-enabled yes', `cluster-config-file ${path.join(dir, 'nodes.conf')}`] })
  try {
    const client = redis.client()
    await client.connect()
    await client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
    client.disconnect()

    const result = await cli(['servers', 'list'], { db: `redis://127.0.0.1:${redis.port}` })

    expect(result).toEqual({
      stdout: '',
      stderr: 'error: Redis Cluster is not supported (Scalelite cannot run on it either): point DATABASE_URL at a standalone Redis\n',
      code: 2,
    })
  } finally {
    redis.stop()
  }
})

describe('an older or plainer Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    // As Redis before 6: no HELLO (and so RESP2 only).
    redis = await startRedis({ tcp: true, config: ['rename-command HELLO ""'] })
  })
  afterAll(() => redis.stop())

  test('without HELLO the commands work', async () => {
    const added = await cli(['tenants', 'add', 'old-redis', 'secret', '--json'], { db: `redis://127.0.0.1:${redis.port}` })
    expect(added).toMatchObject({ stderr: '', code: 0 })
  })

  test('a password the server does not need: a warning, and the command goes on', async () => {
    const result = await cli(['tenants', 'list'], { db: `redis://:not-needed@127.0.0.1:${redis.port}/5` })
    expect(result).toEqual({ stdout: '', stderr: expect.stringMatching(/^warning: .*does not require a password.*\n$/), code: 0 })
    expect(result.stderr).not.toContain('not-needed')
  })
})
