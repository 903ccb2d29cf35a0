// Calls to BigBlueButton servers: GET with Scalelite's checksum, the connect and response timeouts
// kept apart (CONNECT_TIMEOUT, RESPONSE_TIMEOUT), and BBB's XML reply read as Scalelite reads it: a
// reply without returncode or with a returncode other than SUCCESS is an error; the HTTP status is not.
import http from 'node:http'
import https from 'node:https'
import { createRequire } from 'node:module'
import type { XMLParser } from 'fast-xml-parser'
import type { BbbSettings } from '../config.ts'
import { bbbCallUrl, type BbbParams } from './checksum.ts'

export type BbbFailure =
  /** The server answered, with FAILED or something that is not a BBB reply. */
  | 'failed'
  /** No answer: refused, reset, unknown host, or a timeout. */
  | 'unreachable'

export class BbbError extends Error {
  constructor(
    message: string,
    readonly kind: BbbFailure,
    readonly messageKey?: string,
    /** Connected, but no reply within RESPONSE_TIMEOUT: maybe dead, maybe only slow. */
    readonly noReply = false,
  ) {
    super(message)
  }
}

export interface BbbReply {
  returncode: 'SUCCESS'
  messageKey?: string
  message?: string
  [element: string]: unknown
}

export interface Timeouts {
  connectMs: number
  responseMs: number
}

const MAX_REPLY_BYTES = 16 * 1024 * 1024
// Loaded on the first reply, so that commands which call no BBB server never pay for it.
let parser: XMLParser | undefined
const xmlParser = (): XMLParser => {
  const { XMLParser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser')
  return (parser ??= new XMLParser({ parseTagValue: false, ignoreAttributes: true }))
}
const seconds = (ms: number) => `${ms / 1000} s`

/** One client per command run: it keeps connections open between calls to the same server. */
export class BbbClient {
  private readonly agents: { http: http.Agent; https: https.Agent }

  constructor(private readonly settings: BbbSettings) {
    const options = { keepAlive: true, maxSockets: Math.max(settings.concurrency, 1) }
    this.agents = { http: new http.Agent(options), https: new https.Agent(options) }
  }

  /** Lets more calls run at once (the sockets per server follow). */
  widen(concurrency: number): void {
    this.agents.http.maxSockets = concurrency
    this.agents.https.maxSockets = concurrency
  }

  async call(
    server: { url: string; secret: string },
    action: string,
    params: BbbParams,
    timeouts: Timeouts = { connectMs: this.settings.connectTimeoutMs, responseMs: this.settings.responseTimeoutMs },
  ): Promise<BbbReply> {
    let url: URL
    try {
      url = bbbCallUrl(server.url, server.secret, this.settings.algorithm, action, params)
    } catch {
      throw new BbbError(`invalid server URL ${server.url}`, 'failed')
    }
    return parseReply(await this.get(url, timeouts))
  }

  private get(url: URL, timeouts: Timeouts): Promise<string> {
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:'
      const target = `${url.hostname}:${url.port || (secure ? 443 : 80)}`
      let timer: NodeJS.Timeout | undefined
      let settled = false
      const fail = (error: BbbError) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        request.destroy()
        reject(error)
      }
      const request = (secure ? https : http).get(url, { agent: secure ? this.agents.https : this.agents.http }, (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_REPLY_BYTES) fail(new BbbError(`reply from ${target} is larger than ${MAX_REPLY_BYTES} bytes`, 'failed'))
          else chunks.push(chunk)
        })
        response.on('end', () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve(Buffer.concat(chunks).toString('utf8'))
        })
        response.on('error', (e) => fail(networkError(e, target)))
      })
      const awaitResponse = () => {
        clearTimeout(timer)
        timer = setTimeout(() => fail(new BbbError(`no reply from ${target} within ${seconds(timeouts.responseMs)}`, 'unreachable', undefined, true)), timeouts.responseMs)
      }
      timer = setTimeout(() => fail(new BbbError(`no connection to ${target} within ${seconds(timeouts.connectMs)}`, 'unreachable')), timeouts.connectMs)
      request.on('socket', (socket) => {
        if (socket.connecting) socket.once('connect', awaitResponse)
        else awaitResponse() // a kept-alive connection
      })
      request.on('error', (e) => fail(networkError(e, target)))
    })
  }

  close(): void {
    this.agents.http.destroy()
    this.agents.https.destroy()
  }
}

function networkError(e: Error & { code?: string }, target: string): BbbError {
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
  }
  return new BbbError(`${(e.code && reasons[e.code]) ?? e.message} (${target})`, 'unreachable')
}

export function parseReply(body: string): BbbReply {
  let document: { response?: Record<string, unknown> }
  try {
    document = xmlParser().parse(body, true) as typeof document
  } catch {
    // Not XML at all (an HTML error page, plain text): as Scalelite, simply a reply without a returncode.
    document = {}
  }
  const response = document.response
  if (!response || typeof response !== 'object' || response.returncode === undefined)
    throw new BbbError('internalError: Response did not include returncode', 'failed', 'internalError')
  if (response.returncode !== 'SUCCESS') {
    const key = String(response.messageKey ?? '')
    throw new BbbError(`${key}: ${String(response.message ?? '')}`, 'failed', key)
  }
  return response as BbbReply
}
