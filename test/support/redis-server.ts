// A throwaway redis-server (Debian's): a child process on a unix socket in a temporary folder (and on a
// 127.0.0.1 port when asked), no persistence, stopped by its own pid. The package's own service, if any,
// plays no part: nothing here uses the default port. Used by the tests' globalSetup and by the tests
// that need a server of their own (passwords, ACL users, TLS, Cluster).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './ports.ts'

export interface RedisServer {
  /** The unix socket. */
  socket: string
  /** The 127.0.0.1 port, when one was asked for (0 otherwise). */
  port: number
  dir: string
  pid: number
  /** A client on the socket (as the default user, with `password` when given). */
  client(db?: number): Redis
  stop(): void
}

export interface RedisServerOptions {
  /** Also listen on 127.0.0.1 at a free port (plain, or TLS with `tls`). */
  tcp?: boolean
  /** Extra lines for the configuration file (requirepass, user …, cluster-enabled …). */
  config?: string[]
  /** The default user's password, for the helper client. */
  password?: string
  /** TLS on the TCP port: absolute paths of the server's certificate and key, and of the CA. */
  tls?: { cert: string; key: string; ca: string }
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!redisServerInstalled()) throw new Error('redis-server is not installed: apt-get install redis-server')
  const dir = mkdtempSync(path.join(tmpdir(), 'sa-redis-'))
  const socket = path.join(dir, 'redis.sock')
  const port = options.tcp ? await freePort() : 0
  const lines = [
    `unixsocket ${socket}`,
    'unixsocketperm 700',
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    'databases 8192',
    'bind 127.0.0.1',
    ...(options.tls ? ['port 0', `tls-port ${port}`, `tls-cert-file ${options.tls.cert}`, `tls-key-file ${options.tls.key}`, `tls-ca-cert-file ${options.tls.ca}`, 'tls-auth-clients no'] : [`port ${port}`]),
    ...(options.config ?? []),
  ]
  const conf = path.join(dir, 'redis.conf')
  writeFileSync(conf, `${lines.join('\n')}\n`)

  const child: ChildProcess = spawn('redis-server', [conf], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)))
  const stop = () => {
    process.off('exit', stop)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  // Should the test run end without its teardown, the server still goes with it.
  process.once('exit', stop)

  const client = (db = 0) => new Redis({ path: socket, db, password: options.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  // ioredis gives up on the first refused connect: poll with fresh clients until PING answers.
  const until = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) {
      stop()
      throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`)
    }
    const probe = client()
    probe.on('error', () => {})
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      break
    } catch {
      probe.disconnect()
      if (Date.now() > until) {
        stop()
        throw new Error(`redis-server did not answer within 10 s: ${stderr}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return { socket, port, dir, pid: child.pid as number, client, stop }
}
