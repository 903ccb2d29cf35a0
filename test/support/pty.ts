// Runs the built CLI on a real terminal: util-linux `script` gives it a pseudo-terminal as stdin,
// stdout and stderr, and the test types into it. Everything the CLI writes to the terminal comes back
// as one stream (a terminal has no separate stderr); a shell redirection in `redirect` can send
// stdout elsewhere (a pipe, a file) while stdin and stderr stay on the terminal.
import { spawn } from 'node:child_process'
import { BIN, cleanEnv } from './cli.ts'

export interface TerminalResult {
  /** What appeared on the terminal, with the terminal's line ends (\r\n, \r\r\n after an echoed Enter) turned back into \n. */
  screen: string
  code: number
  /** Whether the question (`[y/N]`, or `prompt`) appeared. */
  asked: boolean
}

export interface TerminalOptions {
  /** DATABASE_URL for this run. */
  db?: string
  env?: Record<string, string | undefined>
  /**
   * Typed after the `[y/N]` question appears: a line (Enter is added), 'EOF' for Ctrl-D or 'INTERRUPT'
   * for Ctrl-C. An unexpected question gets Ctrl-D, so the run ends and the test sees `asked`.
   */
  answer?: string
  /** The end of the question to answer, when it is not a `[y/N] ` one (e.g. `Secret: `). */
  prompt?: string
  /** Shell redirections after the command, e.g. `| cat` or `> /tmp/out`. */
  redirect?: string
  timeoutMs?: number
}

const KEYS: Record<string, string> = { EOF: '\x04', INTERRUPT: '\x03' }

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`

/** ANSI control sequences (colour, cursor moves) removed. */
export const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')

export function onTerminal(args: string[], options: TerminalOptions = {}): Promise<TerminalResult> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ') + (options.redirect ? ` ${options.redirect}` : '')
  const env = cleanEnv({ HOME: '/nonexistent-home', SHELL: '/bin/sh', TERM: 'xterm', DATABASE_URL: options.db, ...options.env })
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let raw = ''
    let asked = false
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 20_000)

    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      raw += chunk
      if (asked || !raw.includes(options.prompt ?? '[y/N] ')) return
      asked = true
      const answer = options.answer ?? 'EOF'
      child.stdin.write(KEYS[answer] ?? `${answer}\r`)
    })
    child.stderr.on('data', (chunk: string) => (raw += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      child.stdin.destroy()
      const screen = raw.replace(/\r+\n/g, '\n')
      if (timedOut) return reject(new Error(`timed out on the terminal; the screen so far:\n${screen}`))
      resolve({ screen, code: code ?? -1, asked })
    })
  })
}
