// Server input schemas (Zod, with the contract's messages) and the server object of Scalelite's API.
import { z } from 'zod'
import type { Server, ServerState } from '../db/store.ts'
import { blankToUndefined } from './parse.ts'

const NEEDS_URL_AND_SECRET = 'Server needs a URL and a secret'

function parseHttpUrl(text: string): URL | null {
  // The WHATWG parser repairs `https:///api` (host "api") and `http:/host`; insist on scheme://host.
  if (!/^https?:\/\/[^/?#\s]/i.test(text.trim())) return null
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : null
  } catch {
    return null
  }
}

/** http:// or https:// followed by a host, as a server URL must be (in commands and in sync files). */
export const isServerUrl = (text: string) => parseHttpUrl(text) !== null

/** Scheme and host lower-cased, trailing slashes ignored: two URLs with the same key are the same server. */
export function serverUrlKey(text: string): string {
  const url = parseHttpUrl(text)
  if (!url) return text.trim().replace(/\/+$/, '')
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`
}

/** The URL's host, lower-cased; the URL itself when it has none (rows written by other programs). */
export function serverHostname(text: string): string {
  return parseHttpUrl(text)?.hostname ?? text
}

/** Scalelite splits a requested meta_server-tag on `;` and strips a trailing `!`: such a server tag never matches. */
export const tagNeverMatches = (tag: string | null | undefined): tag is string => typeof tag === 'string' && (tag.includes(';') || tag.endsWith('!'))

export const unmatchableTagWarning = (tag: string) =>
  `the tag '${tag}' can never be matched: Scalelite splits a requested meta_server-tag on ';' and strips a trailing '!'`

/** BBB calls are made relative to the URL, so it should end in /api. */
export const urlLacksApiPath = (text: string) => !/\/api\/?$/.test(parseHttpUrl(text)?.pathname ?? '')

const badUrl = (text: string) => `Server URL must start with http:// or https:// and name a host: ${text}`

const NON_ZERO = 'Load-multiplier must be a non-zero number'

/** A number above zero, in decimal or exponent notation. Zero and text are the contract's error; negatives get their own. */
const loadMultiplier = z.string().transform((raw, ctx) => {
  const text = raw.trim()
  if (/^-(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text) && Number(text) !== 0) {
    ctx.addIssue({ code: 'custom', message: 'Load-multiplier must be greater than zero' })
    return z.NEVER
  }
  const value = Number(text)
  if (!/^\+?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text) || !(value > 0) || !Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: NON_ZERO })
    return z.NEVER
  }
  return value
})

const STATE_VERBS = { enable: 'enabled', cordon: 'cordoned', disable: 'disabled' } as const satisfies Record<string, ServerState>

/** Scalelite's words for a state change: enable, cordon, disable. */
export const stateVerb = z.string().transform((raw, ctx) => {
  const state = Object.hasOwn(STATE_VERBS, raw) ? STATE_VERBS[raw as keyof typeof STATE_VERBS] : undefined
  if (!state) {
    ctx.addIssue({ code: 'custom', message: `Invalid state parameter: ${raw}` })
    return z.NEVER
  }
  return state
})

/** A state as stored and shown: enabled, cordoned, disabled. */
export const stateWord = z.string().refine((raw): raw is ServerState => ['enabled', 'cordoned', 'disabled'].includes(raw), {
  error: (issue) => `Invalid state parameter: ${String(issue.input)}`,
})

export const serverAddSchema = z
  .object({
    url: z.preprocess(blankToUndefined, z.string({ error: NEEDS_URL_AND_SECRET })),
    secret: z.preprocess(blankToUndefined, z.string({ error: NEEDS_URL_AND_SECRET })),
    loadMultiplier: z.preprocess(blankToUndefined, loadMultiplier.optional()).transform((v) => v ?? 1),
    tag: z.preprocess(blankToUndefined, z.string().optional()).transform((v) => v ?? null),
    enable: z.boolean(),
  })
  // Checked once the fields are there, so that a missing secret is reported as missing, as in
  // Scalelite, even when the URL given is malformed too.
  .refine((input) => isServerUrl(input.url), {
    path: ['url'],
    error: (issue) => badUrl((issue.input as { url: string }).url),
  })

export const serverUpdateSchema = z.object({
  secret: z.preprocess(blankToUndefined, z.string().optional()),
  loadMultiplier: z.preprocess(blankToUndefined, loadMultiplier.optional()),
  // '' removes the tag; absent leaves it.
  tag: z
    .string()
    .optional()
    .transform((v) => (v === '' ? null : v)),
  state: z.preprocess(blankToUndefined, stateVerb.optional()),
})

export const serverListSchema = z
  .object({
    tag: z.string().optional(),
    state: stateWord.optional(),
    online: z.boolean().optional(),
    offline: z.boolean().optional(),
  })
  .refine((o) => !(o.online && o.offline), { error: 'Give --online or --offline, not both' })

/** Plain decimal notation with at least one decimal: 1 → "1.0", 2.5 → "2.5", 1e-7 → "0.0000001". */
export function decimalString(value: number): string {
  let text = String(value)
  // String() switches to exponent form below 1e-6 and from 1e21; shift the point by hand instead
  // (toFixed also answers in exponent form from 1e21, and rounds anything below 1e-20 to zero).
  const exponent = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (exponent) {
    const [, sign, lead, fraction = '', power] = exponent
    const digits = `${lead}${fraction}`
    const point = 1 + Number(power)
    if (point <= 0) text = `${sign}0.${'0'.repeat(-point)}${digits}`
    else if (point >= digits.length) text = `${sign}${digits.padEnd(point, '0')}`
    else text = `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
  }
  return text.includes('.') ? text : `${text}.0`
}

/** The server object exactly as Scalelite's API renders it (key order and types). */
export function serverJson(server: Server) {
  return {
    id: server.id,
    url: server.url,
    secret: server.secret,
    tag: server.tag ?? '',
    bbb_version: server.bbbVersion ?? '',
    state: server.state,
    load: server.state === 'disabled' || server.load === null ? ('unavailable' as const) : server.load,
    load_multiplier: server.loadMultiplier === null ? 1 : decimalString(server.loadMultiplier),
    online: server.online ? ('online' as const) : ('offline' as const),
  }
}

/** Servers in Scalelite's `status` order: by URL hostname, then URL, then id. Each URL is parsed once. */
export function sortByHostname<T extends { id: string; url: string }>(servers: T[]): T[] {
  const keyed = servers.map((server) => ({ server, host: serverHostname(server.url) }))
  keyed.sort((a, b) =>
    a.host !== b.host ? (a.host < b.host ? -1 : 1) : a.server.url !== b.server.url ? (a.server.url < b.server.url ? -1 : 1) : a.server.id < b.server.id ? -1 : 1,
  )
  return keyed.map((k) => k.server)
}
