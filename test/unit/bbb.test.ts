// The BBB client in-process: Scalelite's checksum vectors (reference §10), the form encoding, how a
// reply is read, and the client's timeouts and errors against the stand-in on 127.0.0.1.
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, test } from 'vitest'
import { bbbCallUrl, bbbChecksum, bbbQuery } from '../../src/bbb/checksum.ts'
import { BbbClient, BbbError, parseReply } from '../../src/bbb/client.ts'
import { endMeetings } from '../../src/bbb/end-meetings.ts'
import type { BbbSettings } from '../../src/config.ts'
import { type BbbStandIn, deadPort, MESSAGES, param, startBbb, unacceptingPort } from '../support/bbb-server.ts'

const SECRET = 'test-1-secret'

describe('checksums: the worked vectors of Scalelite (SHA256, secret test-1-secret)', () => {
  // The hashed string is `endmeetingID=test-meeting-1&password=pwtest-1-secret`: action, query, secret.
  test('end: meetingID=test-meeting-1, password=pw', () => {
    const query = bbbQuery([
      ['meetingID', 'test-meeting-1'],
      ['password', 'pw'],
    ])
    expect(query).toBe('meetingID=test-meeting-1&password=pw')
    expect(bbbChecksum('sha256', 'end', query, SECRET)).toBe('56e05dabd3fcdf5d5eca80019565b39884bbe3d422a007d38f72d1b6be27040d')
  })

  test('getMeetings: empty query', () => {
    expect(bbbChecksum('sha256', 'getMeetings', bbbQuery([]), SECRET)).toBe('e564a0f0d96af71f490d45d9256d996e0678b7cae521256947968624cd1a5379')
  })

  test('API root: empty action and query', () => {
    expect(bbbChecksum('sha256', '', '', SECRET)).toBe('c1c86bc38bfe20389717caf0ad620cad6beff658f03b67f56cf458152a2273b9')
  })

  test('SHA1 and SHA512 give 40 and 128 lower-case hex digits of the same string', () => {
    const text = 'endmeetingID=test-meeting-1&password=pwtest-1-secret'
    const sha1 = bbbChecksum('sha1', 'end', 'meetingID=test-meeting-1&password=pw', SECRET)
    const sha512 = bbbChecksum('sha512', 'end', 'meetingID=test-meeting-1&password=pw', SECRET)
    expect(sha1).toMatch(/^[0-9a-f]{40}$/)
    expect(sha512).toMatch(/^[0-9a-f]{128}$/)
    expect(sha1).toBe(createHash('sha1').update(text).digest('hex'))
    expect(sha512).toBe(createHash('sha512').update(text).digest('hex'))
  })
})

describe('form encoding of the query', () => {
  test('space is +, letters, digits and *-._ are kept, everything else is upper-case %XX', () => {
    expect(bbbQuery([['meetingID', "a b*-._~!'()/?&=+%ä"]])).toBe('meetingID=a+b*-._%7E%21%27%28%29%2F%3F%26%3D%2B%25%C3%A4')
  })

  test('keys are encoded too, and the order is the insertion order', () => {
    expect(
      bbbQuery([
        ['z key', '1'],
        ['a', '2'],
      ]),
    ).toBe('z+key=1&a=2')
  })

  test('a null value is the bare key; an empty string keeps the =', () => {
    expect(
      bbbQuery([
        ['meetingID', 'm1'],
        ['password', null],
      ]),
    ).toBe('meetingID=m1&password')
    expect(
      bbbQuery([
        ['meetingID', 'm1'],
        ['password', ''],
      ]),
    ).toBe('meetingID=m1&password=')
  })
})

describe('call URLs', () => {
  const end: [string, string | null][] = [
    ['meetingID', 'test-meeting-1'],
    ['password', 'pw'],
  ]
  const endHref = (base: string) =>
    `${base}/end?meetingID=test-meeting-1&password=pw&checksum=56e05dabd3fcdf5d5eca80019565b39884bbe3d422a007d38f72d1b6be27040d`

  test('end is joined to the server URL, with or without a trailing /', () => {
    for (const url of ['http://127.0.0.1:9/bigbluebutton/api', 'http://127.0.0.1:9/bigbluebutton/api/'])
      expect(bbbCallUrl(url, SECRET, 'sha256', 'end', end).href).toBe(endHref('http://127.0.0.1:9/bigbluebutton/api'))
  })

  test('a URL without /api gets the call beside it, as Scalelite', () => {
    expect(bbbCallUrl('http://127.0.0.1:9/bigbluebutton', SECRET, 'sha256', 'end', end).href).toBe(endHref('http://127.0.0.1:9/bigbluebutton'))
  })

  test('getMeetings and the API root carry only the checksum', () => {
    expect(bbbCallUrl('http://127.0.0.1:9/bigbluebutton/api', SECRET, 'sha256', 'getMeetings', []).href).toBe(
      'http://127.0.0.1:9/bigbluebutton/api/getMeetings?checksum=e564a0f0d96af71f490d45d9256d996e0678b7cae521256947968624cd1a5379',
    )
    expect(bbbCallUrl('http://127.0.0.1:9/bigbluebutton/api', SECRET, 'sha256', '', []).href).toBe(
      'http://127.0.0.1:9/bigbluebutton/api/?checksum=c1c86bc38bfe20389717caf0ad620cad6beff658f03b67f56cf458152a2273b9',
    )
  })

  test('the bare password key survives into the URL', () => {
    const url = bbbCallUrl('http://127.0.0.1:9/bigbluebutton/api', SECRET, 'sha256', 'end', [
      ['meetingID', 'm 1'],
      ['password', null],
    ])
    const checksum = createHash('sha256').update(`endmeetingID=m+1&password${SECRET}`).digest('hex')
    expect(url.search).toBe(`?meetingID=m+1&password&checksum=${checksum}`)
  })
})

describe('parseReply', () => {
  const failure = (body: string) => {
    try {
      parseReply(body)
    } catch (e) {
      expect(e).toBeInstanceOf(BbbError)
      const { message, kind, messageKey } = e as BbbError
      return { message, kind, messageKey }
    }
    throw new Error('parseReply did not throw')
  }
  const noReturncode = { message: 'internalError: Response did not include returncode', kind: 'failed', messageKey: 'internalError' }

  test('SUCCESS gives the response element', () => {
    const reply = parseReply(
      '<?xml version="1.0"?>\n<response><returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>sent</message></response>',
    )
    expect(reply).toEqual({ returncode: 'SUCCESS', messageKey: 'sentEndMeetingRequest', message: 'sent' })
  })

  test('values stay strings (no number parsing)', () => {
    expect(parseReply('<response><returncode>SUCCESS</returncode><version>2.0</version></response>').version).toBe('2.0')
  })

  test('FAILED is an error "<messageKey>: <message>"', () => {
    expect(failure(`<response><returncode>FAILED</returncode><messageKey>notFound</messageKey><message>${MESSAGES.notFound}</message></response>`)).toEqual({
      message: `notFound: ${MESSAGES.notFound}`,
      kind: 'failed',
      messageKey: 'notFound',
    })
    expect(failure('<response><returncode>FAILED</returncode><messageKey>a&amp;b</messageKey><message>x &lt; y</message></response>').message).toBe(
      'a&b: x < y',
    )
  })

  test('a reply without returncode is internalError: Response did not include returncode', () => {
    for (const body of ['<response><messageKey>x</messageKey></response>', '<response/>', '<html><body>Bad Gateway</body></html>'])
      expect(failure(body)).toEqual(noReturncode)
  })

  test('so is a reply that is not XML at all (as Scalelite, whose lenient parser finds no returncode)', () => {
    for (const body of ['', 'garbage', '{"returncode":"SUCCESS"}', '<!DOCTYPE html><html><br></html>']) expect(failure(body)).toEqual(noReturncode)
  })
})

describe('BbbClient against the stand-in', () => {
  const settings = (over: Partial<BbbSettings> = {}): BbbSettings => ({
    algorithm: 'sha256',
    connectTimeoutMs: 5000,
    responseTimeoutMs: 10_000,
    concurrency: 25,
    ...over,
  })
  let bbb: BbbStandIn | undefined
  let client: BbbClient | undefined
  const cleanups: (() => void)[] = []
  afterEach(async () => {
    client?.close()
    client = undefined
    await bbb?.stop()
    bbb = undefined
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  const callError = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(BbbError)
    const { message, kind, messageKey } = error as BbbError
    return { message, kind, messageKey }
  }

  test('end: SUCCESS, with the meetingID and password the stand-in expects and a valid SHA256 checksum', async () => {
    bbb = await startBbb({ secret: SECRET, meetings: { 'test-meeting-1': { moderatorPw: 'pw' } } })
    client = new BbbClient(settings())
    const reply = await client.call({ url: bbb.url, secret: SECRET }, 'end', [
      ['meetingID', 'test-meeting-1'],
      ['password', 'pw'],
    ])
    expect(reply).toEqual({ returncode: 'SUCCESS', messageKey: 'sentEndMeetingRequest', message: MESSAGES.sentEndMeetingRequest })
    expect(bbb.requests).toHaveLength(1)
    expect(bbb.requests[0]).toMatchObject({
      action: 'end',
      path: '/bigbluebutton/api/end',
      rawQuery: 'meetingID=test-meeting-1&password=pw&checksum=56e05dabd3fcdf5d5eca80019565b39884bbe3d422a007d38f72d1b6be27040d',
      algorithm: 'sha256',
      checksumValid: true,
    })
  })

  test('FAILED replies are errors of kind failed: wrong password, notFound', async () => {
    bbb = await startBbb({ secret: SECRET, meetings: { m1: { moderatorPw: 'right' }, m2: { end: 'notFound' } } })
    client = new BbbClient(settings())
    const server = { url: bbb.url, secret: SECRET }
    expect(await callError(client.call(server, 'end', [['meetingID', 'm1'], ['password', 'wrong']]))).toEqual({
      message: `invalidPassword: ${MESSAGES.invalidPassword}`,
      kind: 'failed',
      messageKey: 'invalidPassword',
    })
    expect(await callError(client.call(server, 'end', [['meetingID', 'm2'], ['password', 'x']]))).toEqual({
      message: `notFound: ${MESSAGES.notFound}`,
      kind: 'failed',
      messageKey: 'notFound',
    })
  })

  test('the stand-in rejects a wrong secret and an algorithm it does not accept; SHA512 passes when it is the one accepted', async () => {
    bbb = await startBbb({ secret: SECRET, algorithms: ['sha512'] })
    const checksumError = { message: `checksumError: ${MESSAGES.checksumError}`, kind: 'failed', messageKey: 'checksumError' }
    client = new BbbClient(settings())
    expect(await callError(client.call({ url: bbb.url, secret: SECRET }, 'end', [['meetingID', 'm1'], ['password', 'p']]))).toEqual(checksumError)
    client.close()
    client = new BbbClient(settings({ algorithm: 'sha512' }))
    expect(await callError(client.call({ url: bbb.url, secret: 'not-the-secret' }, 'end', [['meetingID', 'm1'], ['password', 'p']]))).toEqual(
      checksumError,
    )
    await client.call({ url: bbb.url, secret: SECRET }, 'end', [['meetingID', 'm1'], ['password', 'p']])
    expect(bbb.requests.map((r) => [r.algorithm, r.checksumValid])).toEqual([
      ['sha256', false],
      ['sha512', false],
      ['sha512', true],
    ])
  })

  test('getMeetings and the API root', async () => {
    bbb = await startBbb({ secret: SECRET, meetings: { 'room 1': {} }, bbbVersion: '3.0.24' })
    client = new BbbClient(settings())
    const server = { url: bbb.url, secret: SECRET }
    const list = await client.call(server, 'getMeetings', [])
    expect(list.meetings).toMatchObject({ meeting: { meetingID: 'room 1', participantCount: '0', isBreakout: 'false' } })
    expect(await client.call(server, '', [])).toEqual({ returncode: 'SUCCESS', version: '2.0', bbbVersion: '3.0.24' })
    await client.call(server, 'end', [['meetingID', 'room 1'], ['password', null]])
    expect(await client.call(server, 'getMeetings', [])).toMatchObject({ messageKey: 'noMeetings', meetings: '' })
    expect(bbb.requests.map((r) => [r.action, r.checksumValid])).toEqual([
      ['getMeetings', true],
      ['', true],
      ['end', true],
      ['getMeetings', true],
    ])
    expect(param(bbb.requests[2]!, 'password')).toBeNull()
  })

  test('garbage without returncode', async () => {
    bbb = await startBbb({ secret: SECRET, garbage: '<html><body>502 Bad Gateway</body></html>' })
    client = new BbbClient(settings())
    expect(await callError(client.call({ url: bbb.url, secret: SECRET }, 'getMeetings', []))).toEqual({
      message: 'internalError: Response did not include returncode',
      kind: 'failed',
      messageKey: 'internalError',
    })
  })

  test('connection refused is unreachable, at once', async () => {
    const port = await deadPort()
    client = new BbbClient(settings())
    const started = Date.now()
    expect(await callError(client.call({ url: `http://127.0.0.1:${port}/bigbluebutton/api`, secret: SECRET }, 'getMeetings', []))).toEqual({
      message: `connection refused (127.0.0.1:${port})`,
      kind: 'unreachable',
      messageKey: undefined,
    })
    expect(Date.now() - started).toBeLessThan(1000)
  })

  test('a server that accepts and never answers hits the response timeout', async () => {
    bbb = await startBbb({ secret: SECRET, hang: true })
    client = new BbbClient(settings({ connectTimeoutMs: 5000, responseTimeoutMs: 300 }))
    const started = Date.now()
    expect(await callError(client.call({ url: bbb.url, secret: SECRET }, 'getMeetings', []))).toEqual({
      message: `no reply from 127.0.0.1:${bbb.port} within 0.3 s`,
      kind: 'unreachable',
      messageKey: undefined,
    })
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(280)
    expect(elapsed).toBeLessThan(1500)
    expect(bbb.requests).toHaveLength(1)
  })

  test('a connection that never completes hits the connect timeout', async () => {
    const listener = await unacceptingPort()
    cleanups.push(listener.close)
    client = new BbbClient(settings({ connectTimeoutMs: 300, responseTimeoutMs: 10_000 }))
    const started = Date.now()
    expect(await callError(client.call({ url: `http://127.0.0.1:${listener.port}/bigbluebutton/api`, secret: SECRET }, 'getMeetings', []))).toEqual({
      message: `no connection to 127.0.0.1:${listener.port} within 0.3 s`,
      kind: 'unreachable',
      messageKey: undefined,
    })
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(280)
    expect(elapsed).toBeLessThan(1500)
  })

  test('the response timer starts at the connection: a slow reply inside it succeeds', async () => {
    bbb = await startBbb({ secret: SECRET, delayMs: 200 })
    client = new BbbClient(settings({ connectTimeoutMs: 100, responseTimeoutMs: 1000 }))
    await expect(client.call({ url: bbb.url, secret: SECRET }, 'getMeetings', [])).resolves.toMatchObject({ returncode: 'SUCCESS' })
  })
})

describe('endMeetings in-process', () => {
  const meetings = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m-${String(i + 1).padStart(2, '0')}`, moderatorPw: `pw-${i + 1}` }))
  let bbb: BbbStandIn | undefined
  afterEach(async () => {
    await bbb?.stop()
    bbb = undefined
  })

  test('bounded: never more calls in flight than the concurrency; every meeting attempted once, in order', async () => {
    bbb = await startBbb({ secret: SECRET, delayMs: 50 })
    const attempted: string[] = []
    const outcomes = await endMeetings(
      { url: bbb.url, secret: SECRET },
      meetings(20),
      { algorithm: 'sha256', connectTimeoutMs: 5000, responseTimeoutMs: 10_000, concurrency: 4 },
      async ({ meetingId }) => {
        attempted.push(meetingId)
      },
    )
    expect(outcomes).toEqual(meetings(20).map((m) => ({ meetingId: m.id })))
    expect(attempted.sort()).toEqual(meetings(20).map((m) => m.id))
    expect(bbb.maxInFlight).toBeLessThanOrEqual(4)
    expect(bbb.maxInFlight).toBeGreaterThan(1)
    expect(bbb.calls('end').map((r) => param(r, 'meetingID')).sort()).toEqual(meetings(20).map((m) => m.id))
  })

  test('a never-answering server costs about two response timeouts, and a short RESPONSE_TIMEOUT is honoured for the rest too', async () => {
    bbb = await startBbb({ secret: SECRET, hang: true })
    const started = Date.now()
    const outcomes = await endMeetings(
      { url: bbb.url, secret: SECRET },
      meetings(60),
      { algorithm: 'sha256', connectTimeoutMs: 5000, responseTimeoutMs: 300, concurrency: 5 },
      async () => {},
    )
    const elapsed = Date.now() - started
    expect(outcomes.map((o) => o.error)).toEqual(Array(60).fill(`no reply from 127.0.0.1:${bbb.port} within 0.3 s`))
    expect(bbb.requests).toHaveLength(60)
    // Two rounds of 300 ms (about 0.6 s), not twelve (3.6 s)…
    expect(elapsed).toBeGreaterThanOrEqual(550)
    expect(elapsed).toBeLessThan(2500)
    // …and the calls after the first round get 300 ms too, not the 1 s cap.
    await bbb.idle()
    const held = bbb.requests.map((r) => r.closedAt! - r.at)
    expect(Math.min(...held)).toBeGreaterThanOrEqual(250)
    expect(Math.max(...held)).toBeLessThan(800)
  })
})
