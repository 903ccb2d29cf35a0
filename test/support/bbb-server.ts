// A BigBlueButton stand-in for the tests: a real HTTP server on 127.0.0.1 (a free port) that speaks
// BBB's XML API. It checks checksums as BBB does (HASH(action + query without the checksum + secret),
// the algorithm taken from the checksum's length) and answers a bad one with checksumError (HTTP 200),
// answers `end` per meeting as configured, and can be told to be slow, to hang, or to answer garbage.
// Every request is recorded, with the largest number that were in flight at once.
//
// Also here: a port where nothing listens (deadPort), and a port whose connections never complete
// (unacceptingPort), for connection-refused and connect-timeout cases.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { freePort } from './ports.ts'

export type Algorithm = 'sha1' | 'sha256' | 'sha512'
export const ALGORITHMS: Algorithm[] = ['sha1', 'sha256', 'sha512']
const BY_LENGTH: Record<number, Algorithm> = { 40: 'sha1', 64: 'sha256', 128: 'sha512' }

/** How `end` answers for a meeting: SUCCESS, FAILED notFound, or FAILED with a key and message of your own. */
export type EndReply = 'success' | 'notFound' | { messageKey: string; message: string }

export interface StandInMeeting {
  /** When given, `end` with another password answers FAILED invalidPassword; null expects the bare `password` key. */
  moderatorPw?: string | null
  /** Overrides defaultEnd for this meeting. */
  end?: EndReply
  /** What getMeetings reports for this meeting (0, 0, 0, false and 0 when not given). */
  participantCount?: number
  moderatorCount?: number
  videoCount?: number
  isBreakout?: boolean
  /** ms since the epoch. */
  createTime?: number
}

export interface StandInOptions {
  secret: string
  /** Checksum algorithms accepted; all three when not given. */
  algorithms?: Algorithm[]
  /** Running meetings by meetingID (getMeetings lists those not ended). */
  meetings?: Record<string, StandInMeeting>
  /** How `end` answers for a meeting not in `meetings`; 'success' when not given. */
  defaultEnd?: EndReply
  /** Delay every reply by this many ms. */
  delayMs?: number
  /** Accept every request and never answer it. */
  hang?: boolean
  /** Answer every request with this body (HTTP 200, text/html), which has no returncode. */
  garbage?: string
  /** What the API root reports as bbbVersion; null leaves the element out. */
  bbbVersion?: string | null
  /** getMeetings answers FAILED with this messageKey and message. */
  getMeetingsFails?: { messageKey: string; message: string }
  /** The API root answers FAILED with this messageKey and message. */
  rootFails?: { messageKey: string; message: string }
  /** Called as each request arrives, after it is recorded. */
  onRequest?: (request: RecordedRequest) => void
}

export interface RecordedRequest {
  /** The path below /bigbluebutton/api/: `end`, `getMeetings`, '' for the API root; null for another path. */
  action: string | null
  path: string
  /** The query string exactly as received, checksum included. */
  rawQuery: string
  /** Decoded parameters in order; a bare key (no `=`) has the value null. The checksum is left out. */
  params: [string, string | null][]
  checksum: string | undefined
  /** Chosen from the checksum's length. */
  algorithm: Algorithm | undefined
  checksumValid: boolean
  /** ms since the stand-in started. */
  at: number
  /** ms since the stand-in started when the exchange ended: answered, or dropped by the client. */
  closedAt?: number
  /** What the stand-in answered (returncode), once it has; undefined while pending or for garbage. */
  returncode?: string
  messageKey?: string
}

/** The value of a recorded parameter: undefined when absent, null for a bare key. */
export function param(request: RecordedRequest, key: string): string | null | undefined {
  return request.params.find(([k]) => k === key)?.[1]
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function responseXml(returncode: string, fields: Record<string, string> = {}, raw = ''): string {
  const inner = Object.entries(fields)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response><returncode>${returncode}</returncode>${raw}${inner}</response>`
}

export const MESSAGES = {
  checksumError: 'You did not pass the checksum security check',
  notFound: 'We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?',
  invalidPassword: 'You must supply the moderator password for this call.',
  sentEndMeetingRequest:
    'A request to end the meeting was sent. Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.',
}

/** Form decoding: `+` is a space, then %XX. */
const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '))

export class BbbStandIn {
  readonly requests: RecordedRequest[] = []
  /** The largest number of requests in flight at once since start (or reset). */
  maxInFlight = 0
  inFlight = 0
  private readonly ended = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly started = performance.now()

  constructor(
    private readonly server: http.Server,
    readonly port: number,
    /** Change freely between runs (mode, meetings, secret…). */
    public options: StandInOptions,
  ) {
    server.on('request', (req, res) => this.handle(req, res))
  }

  /** The server URL as Scalelite stores it. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/bigbluebutton/api`
  }

  /** ms from the first request's arrival to the last one's end (answered or dropped); 0 when none. */
  span(): number {
    if (this.requests.length === 0) return 0
    const first = Math.min(...this.requests.map((r) => r.at))
    const last = Math.max(...this.requests.map((r) => r.closedAt ?? Number.POSITIVE_INFINITY))
    return last - first
  }

  /** Resolves once no request is in flight (the client may drop connections just after it gave up). */
  async idle(withinMs = 5000): Promise<void> {
    const until = Date.now() + withinMs
    while (this.inFlight > 0) {
      if (Date.now() > until) throw new Error(`${this.inFlight} requests still in flight after ${withinMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** Requests for one action. */
  calls(action: string): RecordedRequest[] {
    return this.requests.filter((r) => r.action === action)
  }

  reset(): void {
    this.requests.length = 0
    this.maxInFlight = this.inFlight
    this.ended.clear()
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)

    const target = req.url ?? '/'
    const q = target.indexOf('?')
    const path = q < 0 ? target : target.slice(0, q)
    const rawQuery = q < 0 ? '' : target.slice(q + 1)
    const prefix = '/bigbluebutton/api'
    const action = path === prefix || path === `${prefix}/` ? '' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : null

    const parts = rawQuery === '' ? [] : rawQuery.split('&')
    const checksumPart = parts.find((p) => p.startsWith('checksum='))
    const unsigned = parts.filter((p) => !p.startsWith('checksum=')).join('&')
    const checksum = checksumPart?.slice('checksum='.length)
    const algorithm = checksum ? BY_LENGTH[checksum.length] : undefined
    const accepted = this.options.algorithms ?? ALGORITHMS
    const checksumValid =
      action !== null &&
      algorithm !== undefined &&
      accepted.includes(algorithm) &&
      createHash(algorithm).update(action + unsigned + this.options.secret).digest('hex') === checksum

    const params = parts
      .filter((p) => !p.startsWith('checksum='))
      .map((p): [string, string | null] => {
        const eq = p.indexOf('=')
        return eq < 0 ? [formDecode(p), null] : [formDecode(p.slice(0, eq)), formDecode(p.slice(eq + 1))]
      })

    const record: RecordedRequest = { action, path, rawQuery, params, checksum, algorithm, checksumValid, at: performance.now() - this.started }
    this.requests.push(record)
    res.on('close', () => {
      this.inFlight--
      record.closedAt = performance.now() - this.started
    })
    this.options.onRequest?.(record)

    if (this.options.hang) return // accepted, never answered; stop() closes it
    const reply = () => {
      if (res.destroyed) return
      if (this.options.garbage !== undefined) {
        res.writeHead(200, { 'content-type': 'text/html' }).end(this.options.garbage)
        return
      }
      if (action === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        return
      }
      const [status, body] = this.answer(record)
      record.returncode = /<returncode>(\w+)<\/returncode>/.exec(body)?.[1]
      record.messageKey = /<messageKey>(\w+)<\/messageKey>/.exec(body)?.[1]
      res.writeHead(status, { 'content-type': 'text/xml;charset=utf-8' }).end(body)
    }
    const delay = this.options.delayMs ?? 0
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        reply()
      }, delay)
      this.timers.add(timer)
    } else reply()
  }

  private answer(request: RecordedRequest): [number, string] {
    const failed = (messageKey: string, message: string) => responseXml('FAILED', { messageKey, message })
    // BBB answers the API root without a checksum; with one, it must be right.
    if (request.action === '' && request.checksum === undefined) return [200, this.rootReply()]
    if (!request.checksumValid) return [200, failed('checksumError', MESSAGES.checksumError)]
    const meetings = this.options.meetings ?? {}

    switch (request.action) {
      case '':
        if (this.options.rootFails) return [200, failed(this.options.rootFails.messageKey, this.options.rootFails.message)]
        return [200, this.rootReply()]
      case 'end': {
        const id = param(request, 'meetingID')
        if (!id) return [200, failed('missingParamMeetingID', 'You must specify a meeting ID for the meeting.')]
        const meeting = meetings[id]
        if (meeting && meeting.moderatorPw !== undefined && param(request, 'password') !== meeting.moderatorPw)
          return [200, failed('invalidPassword', MESSAGES.invalidPassword)]
        const reply = meeting?.end ?? this.options.defaultEnd ?? 'success'
        if (reply === 'notFound' || (reply === 'success' && this.ended.has(id))) return [200, failed('notFound', MESSAGES.notFound)]
        if (reply !== 'success') return [200, failed(reply.messageKey, reply.message)]
        this.ended.add(id)
        return [200, responseXml('SUCCESS', { messageKey: 'sentEndMeetingRequest', message: MESSAGES.sentEndMeetingRequest })]
      }
      case 'getMeetings': {
        if (this.options.getMeetingsFails) return [200, failed(this.options.getMeetingsFails.messageKey, this.options.getMeetingsFails.message)]
        const running = Object.keys(meetings).filter((id) => !this.ended.has(id))
        if (running.length === 0)
          return [200, responseXml('SUCCESS', { messageKey: 'noMeetings', message: 'no meetings were found on this server' }, '<meetings/>')]
        const list = running
          .map((id) => {
            const m = meetings[id] as StandInMeeting
            return (
              `<meeting><meetingName>${xmlEscape(id)}</meetingName><meetingID>${xmlEscape(id)}</meetingID><createTime>${m.createTime ?? 0}</createTime>` +
              `<participantCount>${m.participantCount ?? 0}</participantCount><moderatorCount>${m.moderatorCount ?? 0}</moderatorCount>` +
              `<videoCount>${m.videoCount ?? 0}</videoCount><isBreakout>${m.isBreakout === true}</isBreakout><metadata/></meeting>`
            )
          })
          .join('')
        return [200, responseXml('SUCCESS', {}, `<meetings>${list}</meetings>`)]
      }
      default:
        return [200, failed('unsupportedRequest', 'This request is not supported.')]
    }
  }

  private rootReply(): string {
    const version = this.options.bbbVersion === undefined ? '3.0.24' : this.options.bbbVersion
    return responseXml('SUCCESS', version === null ? { version: '2.0' } : { version: '2.0', bbbVersion: version })
  }
}

/** Starts a stand-in on 127.0.0.1 at a free port. Stop it with stop(). */
export async function startBbb(options: StandInOptions): Promise<BbbStandIn> {
  const server = http.createServer({ keepAliveTimeout: 30_000 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return new BbbStandIn(server, (server.address() as net.AddressInfo).port, options)
}

/** A port on 127.0.0.1 where nothing listens: connections are refused. */
export const deadPort = freePort

/**
 * A port on 127.0.0.1 whose new connections never complete: a child process listens there with a tiny
 * backlog and never accepts (its event loop is blocked), and filler connections fill the backlog, so
 * the kernel drops further SYNs. For connect timeouts. close() ends the fillers and the child.
 */
export async function unacceptingPort(): Promise<{ port: number; close(): void }> {
  const script =
    "const s = require('node:net').createServer();" +
    "s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {" +
    "  process.stdout.write(s.address().port + '\\n');" +
    '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);' +
    '});'
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
  const fillers: net.Socket[] = []
  const close = () => {
    for (const socket of fillers) socket.destroy()
    child.kill('SIGKILL')
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (data) => resolve(Number(String(data).trim())))
      child.once('exit', () => reject(new Error('the unaccepting listener exited')))
    })
    for (let i = 0; i < 64; i++) {
      const socket = net.connect(port, '127.0.0.1')
      socket.on('error', () => {})
      const connected = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true))
        setTimeout(() => resolve(false), 250)
      })
      if (!connected) {
        socket.destroy()
        return { port, close }
      }
      fillers.push(socket)
    }
    throw new Error('the backlog never filled')
  } catch (e) {
    close()
    throw e
  }
}
