// Everything the tool needs to know about where it runs, decided once: which streams are terminals,
// whether colour is on, whether a question can be asked. Commands ask this object, never process.*.
import { createInterface } from 'node:readline'
import type { Env } from '../config.ts'

export interface Terminal {
  readonly stdinIsTTY: boolean
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  /** Colour on stdout / stderr: only on a terminal, never with NO_COLOR or --no-color. */
  readonly colorOut: boolean
  readonly colorErr: boolean
  /** A question can be asked only when stdin and stderr are both terminals. */
  readonly canPrompt: boolean
  /**
   * A progress line may be drawn (and redrawn in place) on stderr: only when stderr is a terminal
   * that understands cursor moves (not TERM=dumb), whatever stdout is.
   */
  readonly progress: boolean
  /** The width of stderr in columns (80 when it is not a terminal or does not say). */
  readonly errColumns: number
  write(text: string): void
  writeErr(text: string): void
  /** Asks on stderr and reads one line from stdin. */
  ask(question: string): Promise<string>
  /** Asks on stderr and reads one line from the terminal without echoing it; null when cancelled (Ctrl-C). */
  askSecret(question: string): Promise<string | null>
}

export function processTerminal(env: Env, colorFlag: boolean): Terminal {
  const noColor = !colorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')
  const stdoutIsTTY = process.stdout.isTTY === true
  const stderrIsTTY = process.stderr.isTTY === true
  return {
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY,
    stderrIsTTY,
    colorOut: stdoutIsTTY && !noColor,
    colorErr: stderrIsTTY && !noColor,
    canPrompt: process.stdin.isTTY === true && stderrIsTTY,
    progress: stderrIsTTY && env.TERM !== 'dumb',
    errColumns: (stderrIsTTY && process.stderr.columns) || 80,
    write: (text) => void process.stdout.write(text),
    writeErr: (text) => void process.stderr.write(text),
    ask: (question) =>
      new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr })
        let answered = false
        rl.question(question, (answer) => {
          answered = true
          rl.close()
          resolve(answer)
        })
        // Ctrl-D or a closed terminal is a "no"; end the question's line so the error gets its own.
        rl.on('close', () => {
          if (answered) return
          process.stderr.write('\n')
          resolve('')
        })
      }),
    askSecret,
  }
}

/** The terminal in raw mode, so nothing typed is echoed; Enter ends the line, Ctrl-D too, Ctrl-C cancels. */
function askSecret(question: string): Promise<string | null> {
  const stdin = process.stdin
  // Echo is off before the question shows, so nothing typed after it can appear.
  stdin.setEncoding('utf8')
  stdin.setRawMode(true)
  process.stderr.write(question)
  return new Promise((resolve) => {
    let value = ''
    const finish = (result: string | null) => {
      stdin.removeListener('data', onData)
      stdin.removeListener('end', onEnd)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      resolve(result)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\x04') return finish(value)
        if (ch === '\x03') return finish(null)
        if (ch === '\x7f' || ch === '\b') value = [...value].slice(0, -1).join('')
        else if (ch === '\x15') value = ''
        // An escape sequence (arrow keys and the like) is not part of a secret.
        else if (ch === '\x1b') break
        else if (ch >= ' ') value += ch
      }
    }
    // The terminal went away (hang-up): nothing more can be typed.
    const onEnd = () => finish(null)
    stdin.on('data', onData)
    stdin.once('end', onEnd)
    stdin.resume()
  })
}
