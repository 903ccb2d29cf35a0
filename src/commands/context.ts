// What every command gets: the environment, the output, the terminal, and the store (opened on first
// use and closed by main). Built once per run from the global options.
import type { Command } from 'commander'
import { databaseUrl, type Env } from '../config.ts'
import type { Store } from '../db/store.ts'
import { UsageError } from '../errors.ts'
import { Output } from '../io/output.ts'
import type { Progress } from '../io/progress.ts'
import { processTerminal, type Terminal } from '../io/terminal.ts'
import { redact } from '../redact.ts'

export interface GlobalOptions {
  databaseUrl?: string
  redisCa?: string
  json?: boolean
  color?: boolean
  showSecrets?: boolean
  /** --reason of a changing command, for its audit row. */
  reason?: string
}

export class Context {
  readonly out: Output
  private opened: Promise<Store> | undefined

  constructor(
    readonly env: Env,
    readonly term: Terminal,
    readonly options: GlobalOptions,
    /** The command path (`servers update`) and the command line with secrets masked, for the audit trail. */
    readonly invocation: { action: string; command: string } = { action: 'unknown', command: '' },
  ) {
    this.out = new Output(term, options.json === true, options.showSecrets === true)
  }

  get json(): boolean {
    return this.out.json
  }

  store(): Promise<Store> {
    if (!this.opened) {
      const { url, isDefault } = databaseUrl(this.options.databaseUrl, this.env)
      this.opened = this.open(url, isDefault)
    }
    return this.opened
  }

  /** Opens a store at another URL (import's source), with the same options; the caller closes it. */
  async open(url: string, isDefault = false): Promise<Store> {
    const [{ openStore }, { processActor }] = await Promise.all([import('../db/index.ts'), import('../db/audit.ts')])
    const actor = { ...processActor(this.invocation.action, this.invocation.command), reason: this.options.reason?.trim() || null }
    return openStore(url, this.env, { redisCa: this.options.redisCa, warn: (message) => this.out.warn(message), createFolder: isDefault, actor })
  }

  /** The progress of long work, on stderr when it is a terminal (see Output.progress); end it when done. */
  progress(label: string, total: number): Progress {
    return this.out.progress(label, total)
  }

  async close(): Promise<void> {
    const store = await this.opened?.catch(() => undefined)
    await store?.close()
  }

  /**
   * Destructive commands ask on a terminal; --yes skips the question, and without a terminal nothing
   * is asked (as Scalelite's rake tasks, so cron needs no flag). Anything but y/yes aborts.
   */
  async confirm(question: string, yes: boolean | undefined): Promise<void> {
    if (yes || !this.term.canPrompt) return
    const answer = await this.term.ask(`${question} [y/N] `)
    if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('Aborted: nothing was changed')
  }
}

let current: Context | undefined

/** The context of this run (one command per process). */
export function contextOf(command: Command, env: Env, term?: Terminal, argv: string[] = process.argv.slice(2)): Context {
  const options = command.optsWithGlobals<GlobalOptions>()
  current = new Context(env, term ?? processTerminal(env, options.color !== false), options, { action: commandPath(command), command: maskedCommandLine(command, argv) })
  return current
}

/** `servers update`: the names from the noun down to this command. */
function commandPath(command: Command): string {
  const names: string[] = []
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/** Options whose values are secrets; arguments named secret or secrets are secrets too. */
const SECRET_OPTIONS = new Set(['--secret', '--secrets', '--lrs-password', '--kc-client-secret', '--kc-password'])

/**
 * The command line as typed, for the audit trail, with every secret as `****`: the values of secret
 * options and arguments (`-`, read from stdin, stays), and URL passwords (--database-url).
 */
export function maskedCommandLine(command: Command, argv: string[]): string {
  const secretArgs = new Set<string>()
  command.registeredArguments.forEach((argument, i) => {
    const value = command.processedArgs[i] as unknown
    if (/^secrets?$/.test(argument.name()) && typeof value === 'string' && value !== '-') secretArgs.add(value)
  })
  const words: string[] = ['scalelite-admin']
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string
    const [flag, inline] = word.startsWith('--') ? [word.split('=')[0] as string, word.includes('=')] : [word, false]
    if (SECRET_OPTIONS.has(flag)) {
      if (inline) words.push(word.slice(word.indexOf('=') + 1) === '-' ? word : `${flag}=****`)
      else {
        words.push(word)
        const value = argv[i + 1]
        if (value !== undefined) words.push(value === '-' ? value : '****'), i++
      }
    } else words.push(secretArgs.has(word) ? '****' : redact(word))
  }
  return words.map((w) => (/^[\w@%+=:,./*-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export async function closeContext(): Promise<void> {
  await current?.close()
}

/**
 * Wraps a command's body for Commander: builds the context from the global options and passes the
 * positional arguments and the command's own options through.
 */
export function action<Args extends unknown[]>(body: (ctx: Context, ...args: Args) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command
    await body(contextOf(command, process.env), ...(args.slice(0, -1) as Args))
  }
}

/** The option every changing command takes, for its audit row. */
export const REASON = ['--reason <text>', 'why: recorded with the change in the audit trail (scalelite-admin audit)'] as const

/** The "Examples:" block at the end of a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`
}
