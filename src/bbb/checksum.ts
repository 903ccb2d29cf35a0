// How Scalelite signs a call to a BBB server: the query form-encoded in insertion order, then
// checksum = hex(HASH(action + query + secret)) appended last.
import { createHash } from 'node:crypto'
import type { ChecksumAlgorithm } from '../config.ts'

/** A value of null is written as the bare key (Scalelite does that for a missing moderator password). */
export type BbbParams = [string, string | null][]

const formEncode = (text: string) => new URLSearchParams([['', text]]).toString().slice(1)

export function bbbQuery(params: BbbParams): string {
  return params.map(([key, value]) => (value === null ? formEncode(key) : `${formEncode(key)}=${formEncode(value)}`)).join('&')
}

export function bbbChecksum(algorithm: ChecksumAlgorithm, action: string, query: string, secret: string): string {
  return createHash(algorithm).update(action + query + secret).digest('hex')
}

/** `<server url>/<action>?<query>&checksum=…`, the URL taken as a folder (a `/` is added if missing). */
export function bbbCallUrl(serverUrl: string, secret: string, algorithm: ChecksumAlgorithm, action: string, params: BbbParams): URL {
  const base = serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`
  const query = bbbQuery(params)
  const url = new URL(action, base)
  const checksum = bbbChecksum(algorithm, action, query, secret)
  url.search = query === '' ? `checksum=${checksum}` : `${query}&checksum=${checksum}`
  return url
}
