// Settings read from the environment and the global flags, each validated once. Nothing here opens a
// connection; src/db/ does that from the URL chosen here.
import { homedir } from 'node:os'
import path from 'node:path'
import { UsageError } from './errors.ts'

export type Env = Record<string, string | undefined>

/** The embedded default: $XDG_DATA_HOME/scalelite-admin/scalelite.db, else ~/.local/share/…. */
export function defaultDatabasePath(env: Env): string {
  const base = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homedir(), '.local', 'share')
  return path.join(base, 'scalelite-admin', 'scalelite.db')
}

/** The flag wins over DATABASE_URL; an empty value counts as unset. */
export function databaseUrl(flag: string | undefined, env: Env): { url: string; isDefault: boolean } {
  const given = flag || env.DATABASE_URL
  if (given) return { url: given, isDefault: false }
  return { url: `file:${defaultDatabasePath(env)}`, isDefault: true }
}

export function serverIdIsHostname(env: Env): boolean {
  return (env.SERVER_ID_IS_HOSTNAME ?? '').toLowerCase() === 'true'
}

export type ChecksumAlgorithm = 'sha1' | 'sha256' | 'sha512'

/** As Scalelite: SHA256 when unset, else the strongest listed of SHA512, SHA256, SHA1. */
export function checksumAlgorithm(env: Env): ChecksumAlgorithm {
  const raw = env.LOADBALANCER_CHECKSUM_ALGORITHM
  if (raw === undefined || raw.trim() === '') return 'sha256'
  const listed = new Set(raw.toLowerCase().split(/[\s:,]+/))
  for (const algorithm of ['sha512', 'sha256', 'sha1'] as const) if (listed.has(algorithm)) return algorithm
  throw new UsageError(`LOADBALANCER_CHECKSUM_ALGORITHM=${raw} names none of SHA1, SHA256, SHA512`)
}

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0)) throw new UsageError(`${name} must be a number of seconds above 0, not '${raw}'`)
  return value
}

export interface BbbSettings {
  algorithm: ChecksumAlgorithm
  connectTimeoutMs: number
  responseTimeoutMs: number
  /** How many calls to BBB servers run at once. */
  concurrency: number
}

export function bbbSettings(env: Env): BbbSettings {
  const concurrency = env.BBB_CONCURRENCY?.trim() ? Number(env.BBB_CONCURRENCY) : 25
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
    throw new UsageError(`BBB_CONCURRENCY must be a whole number from 1 to 1000, not '${env.BBB_CONCURRENCY}'`)
  return {
    algorithm: checksumAlgorithm(env),
    connectTimeoutMs: seconds(env, 'CONNECT_TIMEOUT', 5) * 1000,
    responseTimeoutMs: seconds(env, 'RESPONSE_TIMEOUT', 10) * 1000,
    concurrency,
  }
}

function wholeNumber(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new UsageError(`${name} must be a whole number from ${min} up, not '${raw}'`)
  return Number(raw)
}

/** The poller's rules, with Scalelite's variables and defaults. */
export interface PollRules {
  /** LOAD_MIN_USER_COUNT: what a meeting created within the join buffer counts for at least. */
  minUserCount: number
  /** LOAD_JOIN_BUFFER_TIME, in minutes there, in ms here. */
  joinBufferMs: number
  /** SERVER_HEALTHY_THRESHOLD: successful polls in a row that bring an offline server online. */
  healthyThreshold: number
  /** SERVER_UNHEALTHY_THRESHOLD: failed polls in a row that take an online server offline. */
  unhealthyThreshold: number
}

export function pollRules(env: Env): PollRules {
  return {
    minUserCount: wholeNumber(env, 'LOAD_MIN_USER_COUNT', 15, 0),
    joinBufferMs: wholeNumber(env, 'LOAD_JOIN_BUFFER_TIME', 15, 0) * 60_000,
    healthyThreshold: wholeNumber(env, 'SERVER_HEALTHY_THRESHOLD', 1, 1),
    unhealthyThreshold: wholeNumber(env, 'SERVER_UNHEALTHY_THRESHOLD', 2, 1),
  }
}
