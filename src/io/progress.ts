// A progress line on stderr for work that can take a while (panic's end calls, poll, sync): a counter
// and a bar redrawn in place, at most 10 times a second, erased when the work ends so the output
// that follows is clean. Output decides whether one is drawn at all (Terminal.progress) and clears
// it around every warning, so the two never share a line.

/** What a command reports its progress to; a no-op when no line is drawn. */
export interface Progress {
  /** `count` more units are over: done, or failed. */
  advance(failed?: boolean, count?: number): void
  /** The work is over: erase the line. Safe to call twice. */
  end(): void
}

export const NO_PROGRESS: Progress = { advance: () => {}, end: () => {} }

/** No redraw sooner than this after the last one. */
const REDRAW_EVERY_MS = 100
/** Work that is over before this never shows a line. */
const FIRST_DRAW_AFTER_MS = 200
const BAR_WIDTH = 20
const ERASE = '\r\x1b[2K'

export interface ProgressStyle {
  /** Columns of the terminal; the line is cut to fit, as a wrapped line could not be erased. */
  columns: number
  /** How the failed count is shown (red on a colour terminal). */
  paintFailed: (text: string) => string
}

export class ProgressLine implements Progress {
  private done = 0
  private failed = 0
  private shown = false
  private over = false
  private lastDraw = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly write: (text: string) => void,
    /** What is being counted, e.g. `ending meetings`. */
    private readonly label: string,
    private readonly total: number,
    private readonly style: ProgressStyle,
    /** Called once when the line ends (Output forgets it then). */
    private readonly onEnd: () => void = () => {},
  ) {
    this.timer = setTimeout(() => this.draw(), FIRST_DRAW_AFTER_MS).unref()
  }

  advance(failed = false, count = 1): void {
    if (this.over) return
    if (failed) this.failed += count
    else this.done += count
    if (this.timer) return // a draw is already due
    const wait = this.lastDraw + REDRAW_EVERY_MS - Date.now()
    if (wait <= 0) this.draw()
    else this.timer = setTimeout(() => this.draw(), wait).unref()
  }

  /** Runs `print` (a whole line for stderr) on a cleared line, then draws the progress again under it. */
  around(print: () => void): void {
    if (this.shown) this.write(ERASE)
    print()
    if (this.shown) this.write(this.text())
  }

  end(): void {
    if (this.over) return
    this.over = true
    clearTimeout(this.timer)
    if (this.shown) this.write(ERASE)
    this.onEnd()
  }

  private draw(): void {
    this.timer = undefined
    if (this.over) return
    this.lastDraw = Date.now()
    this.shown = true
    this.write(`${ERASE}${this.text()}`)
  }

  /** `ending meetings [#########-----------] 120/250, 3 failed`, cut to the terminal's width. */
  private text(): string {
    const count = this.done + this.failed
    const filled = this.total > 0 ? Math.min(BAR_WIDTH, Math.floor((count / this.total) * BAR_WIDTH)) : 0
    const plain = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${count}/${this.total}`
    const failed = this.failed > 0 ? `, ${this.failed} failed` : ''
    const room = this.style.columns - 1
    if (plain.length + failed.length <= room) return `${plain}${failed && this.style.paintFailed(failed)}`
    return `${plain}${failed}`.slice(0, Math.max(0, room))
  }
}
