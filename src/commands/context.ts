// What every command gets: the environment, the output, the terminal, and the store (opened on first
// use and closed by main). Built once per run from the global options.
import type { Command } from 'commander'
import { databaseUrl, type Env } from '../config.ts'
import type { Store } from '../db/store.ts'
import { UsageError } from '../errors.ts'
import { Output } from '../io/output.ts'
import type { Progress } from '../io/progress.ts'
import { processTerminal, type Terminal } from '../io/terminal.ts'

export interface GlobalOptions {
  databaseUrl?: string
  redisCa?: string
  json?: boolean
  color?: boolean
  showSecrets?: boolean
}

export class Context {
  readonly out: Output
  private opened: Promise<Store> | undefined

  constructor(
    readonly env: Env,
    readonly term: Terminal,
    readonly options: GlobalOptions,
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
    const { openStore } = await import('../db/index.ts')
    return openStore(url, this.env, { redisCa: this.options.redisCa, warn: (message) => this.out.warn(message), createFolder: isDefault })
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
export function contextOf(command: Command, env: Env, term?: Terminal): Context {
  const options = command.optsWithGlobals<GlobalOptions>()
  current = new Context(env, term ?? processTerminal(env, options.color !== false), options)
  return current
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

/** The "Examples:" block at the end of a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`
}
