// Runs the built bin/scalelite-admin as a user would, with a clean environment, and returns what a
// user sees: stdout, stderr and the exit code. Asynchronous, so BBB stand-ins in the test process
// keep answering while the CLI runs.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/scalelite-admin', import.meta.url))

export interface CliResult {
  stdout: string
  stderr: string
  code: number
}

export interface RunOptions {
  /** DATABASE_URL for this run. */
  db?: string
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
}

/** The environment a test CLI gets: nothing of the developer's own settings leaks in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8' }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

export function cli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const env = cleanEnv({ HOME: '/nonexistent-home', DATABASE_URL: options.db, ...options.env })
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ stdout, stderr, code })
      },
    )
    child.stdin?.end(options.input ?? '')
  })
}

/** Parses stdout as the one JSON document it must be. */
export function json<T = any>(result: CliResult): T {
  return JSON.parse(result.stdout) as T
}
