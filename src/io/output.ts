// Rendering for people and for scripts. With --json, stdout carries exactly one JSON document; for
// people, a cli-table3 table on a terminal and tab-separated rows without a header when piped.
// Secrets are masked in all human output unless --show-secrets.
import { createRequire } from 'node:module'
import { Chalk, type ChalkInstance } from 'chalk'
import type TableType from 'cli-table3'
import { NO_PROGRESS, type Progress, ProgressLine } from './progress.ts'
import type { Terminal } from './terminal.ts'

export interface Column {
  header: string
  /** Right-align (numbers). */
  right?: boolean
}

/** A cell: its plain text, and optionally how to colour it on a terminal. */
export type Cell = string | { text: string; paint?: (c: ChalkInstance, text: string) => string }

// Tables are drawn only on a terminal: load cli-table3 then, not on every start.
const Table = (...args: ConstructorParameters<typeof TableType>) => {
  const Constructor = createRequire(import.meta.url)('cli-table3') as typeof TableType
  return new Constructor(...args)
}

/**
 * A cell's text as it may reach a terminal or a pipe: line breaks and tabs as spaces, other control
 * characters (an escape sequence in a stored tag or reason could recolour or hide the screen) as `?`.
 */
const textOf = (cell: Cell) => (typeof cell === 'string' ? cell : cell.text).replace(/[\t\r\n]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')

/** First and last 3 characters of a secret of 12 or more; nothing of a shorter one. */
export function maskSecret(secret: string): string {
  if (secret === '') return ''
  if (secret.length < 12) return '****'
  return `${secret.slice(0, 3)}****${secret.slice(-3)}`
}

export class Output {
  private readonly out: ChalkInstance
  private readonly err: ChalkInstance
  /** The progress line on stderr, while one is drawn; every message to stderr clears it first. */
  private active: ProgressLine | undefined

  constructor(
    readonly term: Terminal,
    readonly json: boolean,
    readonly showSecrets: boolean,
  ) {
    this.out = new Chalk({ level: term.colorOut ? 1 : 0 })
    this.err = new Chalk({ level: term.colorErr ? 1 : 0 })
  }

  /** A secret as human output shows it; a colon-separated list is masked item by item. */
  secret(value: string, list = false): string {
    if (this.showSecrets) return value
    return list ? value.split(':').map(maskSecret).join(':') : maskSecret(value)
  }

  document(value: unknown): void {
    this.term.write(`${JSON.stringify(value)}\n`)
  }

  line(text: string): void {
    this.term.write(`${text}\n`)
  }

  /** One line of cells, each coloured on a terminal. */
  cells(cells: Cell[], separator = ''): void {
    this.line(cells.map((c) => (typeof c === 'string' || !c.paint ? textOf(c) : c.paint(this.out, textOf(c)))).join(separator))
  }

  /** `footer` rows (totals) are for people: shown under the table on a terminal, never in piped rows. */
  table(columns: Column[], rows: Cell[][], footer: Cell[][] = []): void {
    if (!this.term.stdoutIsTTY) {
      for (const row of rows) this.line(row.map(textOf).join('\t'))
      return
    }
    const table = Table({
      head: columns.map((c) => this.out.bold(c.header)),
      colAligns: columns.map((c) => (c.right ? 'right' : 'left')),
      style: { head: [], border: [] },
    })
    for (const row of rows) table.push(row.map((c) => (typeof c === 'string' || !c.paint ? textOf(c) : c.paint(this.out, textOf(c)))))
    for (const row of footer) table.push(row.map((c) => this.out.bold(textOf(c))))
    this.line(table.toString())
  }

  /** One record as field/value pairs: a two-column table on a terminal, `field<TAB>value` lines when piped. */
  record(pairs: [string, Cell][]): void {
    if (!this.term.stdoutIsTTY) {
      for (const [field, value] of pairs) this.line(`${field}\t${textOf(value)}`)
      return
    }
    const table = Table({ style: { head: [], border: [] } })
    for (const [field, value] of pairs)
      table.push({ [this.out.bold(field)]: typeof value === 'string' || !value.paint ? textOf(value) : value.paint(this.out, textOf(value)) })
    this.line(table.toString())
  }

  /**
   * A progress line on stderr for `total` units of work, drawn only where the terminal allows it
   * (Terminal.progress); elsewhere, and for no work at all, it does nothing. End it when the work ends.
   */
  progress(label: string, total: number): Progress {
    if (!this.term.progress || total <= 0) return NO_PROGRESS
    this.active?.end()
    const line: ProgressLine = new ProgressLine(
      (text) => this.term.writeErr(text),
      label,
      total,
      { columns: this.term.errColumns, paintFailed: (text) => this.err.red(text) },
      () => {
        if (this.active === line) this.active = undefined
      },
    )
    this.active = line
    return line
  }

  /** A note for people on a terminal (never in a pipe, never on stdout). */
  note(text: string): void {
    if (this.term.stderrIsTTY) this.stderr(`${this.err.dim(text)}\n`)
  }

  warn(text: string): void {
    this.stderr(`${this.err.yellow('warning:')} ${text}\n`)
  }

  /** The one error line: human `error: …`, or with --json the API's error body as the last line of stderr. */
  error(message: string, key: 'error' | 'message' = 'error'): void {
    if (this.json) this.stderr(`${JSON.stringify({ [key]: message })}\n`)
    else this.stderr(`${this.err.red('error:')} ${message}\n`)
  }

  private stderr(text: string): void {
    if (this.active) this.active.around(() => this.term.writeErr(text))
    else this.term.writeErr(text)
  }
}
