// What a command reads besides its arguments: a document from a file or stdin (`-`), and a secret
// given as `-`, from stdin, so it stays out of shell history and the process list.
import { readFile } from 'node:fs/promises'
import { UsageError } from '../errors.ts'
import type { Terminal } from './terminal.ts'

export async function readDocument(path: string): Promise<string> {
  try {
    if (path !== '-') return await readFile(path, 'utf8')
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  } catch (e) {
    const error = e as NodeJS.ErrnoException
    const reason = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'it is a folder' : error.code === 'EACCES' ? 'permission denied' : error.message
    throw new UsageError(`Cannot read ${path === '-' ? 'stdin' : path}: ${reason}`)
  }
}

/** How a value that may be `-` is named: the flag or argument, and the question asked on a terminal. */
export interface StdinSource {
  flag: string
  prompt: string
  /** An empty secret is this error; without one, it is passed on as '' (the schema calls it missing). */
  missing?: () => Error
}

/** An option whose value may be `-`: an empty secret from stdin is an error there, not a blank (ignored or unset) value. */
export const optionFromStdin = (flag: string, prompt: string): StdinSource => ({
  flag,
  prompt,
  missing: () => new UsageError(`No value for ${flag} was read from stdin`),
})

/**
 * The values given as `-` replaced by the secret from stdin: piped, all of it without one trailing
 * newline; on a terminal (stdin and stderr), asked for without echo. Only one value can come from
 * stdin: two `-` are a usage error, and nothing is read.
 */
export async function secretsFromStdin<T extends object>(term: Terminal, values: T, sources: Partial<Record<keyof T, StdinSource>>): Promise<T> {
  const dashes = (Object.keys(sources) as (keyof T)[]).filter((key) => values[key] === '-')
  if (dashes.length === 0) return values
  if (dashes.length > 1) {
    const flags = dashes.map((key) => (sources[key] as StdinSource).flag)
    throw new UsageError(`Only one value can be read from stdin, but ${flags.join(' and ')} are ${flags.length === 2 ? 'both' : 'all'} '-'`)
  }
  const key = dashes[0] as keyof T
  const source = sources[key] as StdinSource
  const secret = await readSecret(term, source)
  if (secret.trim() === '' && source.missing) throw source.missing()
  return { ...values, [key]: secret }
}

async function readSecret(term: Terminal, source: StdinSource): Promise<string> {
  if (!term.stdinIsTTY) return (await readDocument('-')).replace(/\r?\n$/, '')
  // Typing into a terminal that cannot hide it would show the secret.
  if (!term.canPrompt) throw new UsageError(`Cannot ask for ${source.flag} without a terminal on stderr; pipe the secret into stdin instead`)
  const answer = await term.askSecret(`${source.prompt}: `)
  if (answer === null) throw new UsageError('Aborted: nothing was changed')
  return answer
}
