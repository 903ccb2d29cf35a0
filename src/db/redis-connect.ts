// Opening a connection to a live Scalelite's Redis: the URL forms its Ruby client accepts, TLS with an
// optional CA file, a bounded connect, and failures in one line that never carry the password.
// ioredis is loaded here only, and only when a Redis URL is used.
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { Redis, RedisOptions } from 'ioredis'
import { FatalError, UsageError } from '../errors.ts'
import { redactUrl, registerSecret } from '../redact.ts'

export interface RedisConnectOptions {
  /** --redis-ca: a PEM file of the CA that signed the server's certificate (rediss:// only). */
  caFile?: string
  /** Where warnings go (a password the server does not need, …). */
  warn?: (message: string) => void
}

interface Target {
  options: RedisOptions
  /** host:port or the socket path, and the database index: for messages. */
  where: string
  username?: string
  password?: string
}

const DEFAULT_CONNECT_SECONDS = 10

/**
 * `redis://[user][:password]@host[:port][/db]`, `rediss://…` (TLS), and `unix:///path/to/socket[?db=N]`
 * as Scalelite's redis-rb takes them. `?connect_timeout=S` bounds the connect (10 s by default).
 */
export function parseRedisUrl(text: string): Target {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`Invalid Redis URL '${redactUrl(text)}'`)
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined
  const password = url.password ? decodeURIComponent(url.password) : undefined
  registerSecret(password)

  const raw = url.searchParams.get('connect_timeout')
  const seconds = raw === null || raw === '' ? DEFAULT_CONNECT_SECONDS : Number(raw)
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`connect_timeout must be a number of seconds above 0, not '${raw}'`)

  const unix = url.protocol === 'unix:'
  const dbText = unix ? (url.searchParams.get('db') ?? '0') : url.pathname.replace(/^\//, '') || (url.searchParams.get('db') ?? '0')
  if (!/^\d+$/.test(dbText)) throw new UsageError(`Invalid Redis database index '${dbText}' in '${redactUrl(text)}'`)
  const db = Number(dbText)

  const options: RedisOptions = { username, password, db, connectTimeout: seconds * 1000 }
  let where: string
  if (unix) {
    if (!url.pathname) throw new UsageError(`Invalid Redis URL '${redactUrl(text)}': no socket path`)
    options.path = decodeURIComponent(url.pathname)
    where = `unix socket ${options.path}`
  } else {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1'
    options.host = host
    options.port = url.port ? Number(url.port) : 6379
    where = `${isIP(host) === 6 ? `[${host}]` : host}:${options.port}`
  }
  if (db !== 0) where += unix ? ` (database ${db})` : `/${db}`
  return { options, where, username, password }
}

/** Connects, checks that this is no Redis Cluster, and hands back the client. */
export async function connectRedis(url: string, settings: RedisConnectOptions = {}): Promise<Redis> {
  const target = parseRedisUrl(url)
  if (/^rediss:/i.test(url)) target.options.tls = tlsOptions(target.options.host as string, settings.caFile)

  const { Redis } = await import('ioredis')
  let client: Redis
  try {
    client = await open(Redis, target.options, settings.warn)
  } catch (e) {
    // redis-rb retries a refused `AUTH user password` with the password alone, so a URL such as
    // redis://h:password@host works for Scalelite even though "h" is no Redis user (and on a Redis
    // before 6, which knows no users, AUTH with two arguments fails): do the same.
    if (!(target.username && target.password && /WRONGPASS|NOAUTH|wrong number of arguments for 'auth'/i.test(String((e as Error).message)))) throw failure(e, target)
    try {
      client = await open(Redis, { ...target.options, username: undefined }, settings.warn)
    } catch {
      throw failure(e, target)
    }
  }

  try {
    await refuseCluster(client)
  } catch (e) {
    drop(client)
    throw e instanceof UsageError ? e : failure(e, target)
  }
  return client
}

function tlsOptions(host: string, caFile: string | undefined): RedisOptions['tls'] {
  let ca: Buffer | undefined
  if (caFile) {
    try {
      ca = readFileSync(caFile)
    } catch (e) {
      throw new UsageError(`cannot read --redis-ca ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
  }
  // SNI takes host names only; Node warns when given an address.
  return { ...(ca ? { ca } : {}), ...(isIP(host) ? {} : { servername: host }) }
}

type RedisClass = typeof import('ioredis').Redis

/**
 * Closes a client at once. ioredis's disconnect() ends the socket politely and waits for its close
 * under a timer, which a socket that is already closed never clears and a server that never answers
 * never lets go: either would hold the process.
 */
function drop(client: Redis): void {
  if (client.status !== 'end') client.disconnect()
  ;(client as unknown as { stream?: { destroy(): void } }).stream?.destroy()
}

async function open(RedisCtor: RedisClass, options: RedisOptions, warn?: (message: string) => void): Promise<Redis> {
  const client = new RedisCtor({
    ...options,
    lazyConnect: true,
    // One try, no reconnects: a cron job should fail fast and say why.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Our own first command checks the server; ioredis's INFO would need a right a restricted user may lack.
    enableReadyCheck: false,
    disableClientInfo: true,
    // RESP2 works on every Redis Scalelite runs on (HELLO came with Redis 6).
    protocol: 2,
    maintNotifications: 'disabled',
    disconnectTimeout: 200,
  } as RedisOptions)
  let lastError: Error | undefined
  client.on('error', (e: Error) => {
    lastError = e
  })
  // ioredis reports a password the server does not need through console.warn: make it ours.
  const consoleWarn = console.warn
  console.warn = (...args: unknown[]) => {
    const text = String(args[0]).replace(/^\[(WARN|ERROR)\]\s*/, '')
    // AUTH with a user name on a Redis before 6: the caller retries with the password alone.
    if (!/wrong number of arguments for 'auth'/.test(text)) warn?.(text)
  }
  // connectTimeout covers the TCP connect only; a server that accepts and never answers is cut off here.
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })), options.connectTimeout)
  })
  try {
    await Promise.race([
      (async () => {
        await client.connect()
        // The handshake's replies (AUTH, SELECT) come with the first command: make it a cheap one.
        await client.ping()
      })(),
      deadline,
    ])
    return client
  } catch (e) {
    drop(client)
    throw lastError && !/Connection is closed/.test(lastError.message) && (e as { code?: string }).code !== 'ETIMEDOUT' ? lastError : e
  } finally {
    clearTimeout(timer)
    console.warn = consoleWarn
  }
}

/** Scalelite's own transactions cannot run on Redis Cluster (CROSSSLOT), and neither can ours. */
async function refuseCluster(client: Redis): Promise<void> {
  let info: string
  try {
    info = await client.info('cluster')
  } catch (e) {
    // A user without the right to INFO: our scripts would then fail with CROSSSLOT, which says the same.
    if (/NOPERM/.test(String((e as Error).message))) return
    throw e
  }
  if (/^cluster_enabled:1\s*$/m.test(info)) throw clusterRefusal()
}

export const clusterRefusal = () =>
  new UsageError('Redis Cluster is not supported (Scalelite cannot run on it either): point DATABASE_URL at a standalone Redis')

/** One line naming the server and the cause, never the password. */
export function failure(e: unknown, target: Target): FatalError {
  const err = e as { code?: string; message?: string }
  const message = String(err.message ?? e)
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOENT: 'no such socket',
    EACCES: 'permission denied',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ECONNRESET: 'connection reset',
  }
  let reason = (err.code && reasons[err.code]) ?? undefined
  if (!reason) {
    if (/WRONGPASS/.test(message)) reason = 'authentication failed (wrong user name or password)'
    else if (/NOAUTH/.test(message)) reason = 'authentication required, and the URL gives no password'
    else if (/ETIMEDOUT|timed? ?out/i.test(message)) reason = 'connection timed out'
    else if (/certificate|self.signed|SSL|TLS|EPROTO/i.test(message))
      reason = `TLS failed: ${message.split('\n')[0]} (give the CA with --redis-ca FILE or NODE_EXTRA_CA_CERTS)`
    else reason = message.split('\n')[0] as string
  }
  return new FatalError(`cannot connect to Redis at ${target.where}: ${reason}`)
}
