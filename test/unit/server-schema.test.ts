// In-process tests of src/schemas/server.ts: the inputs it refuses and the exact messages, the URL key
// that makes two adds the same server, and the server object as Scalelite's API renders it.
import { describe, expect, test } from 'vitest'
import type { Server } from '../../src/db/store.ts'
import { UsageError } from '../../src/errors.ts'
import { parseInput } from '../../src/schemas/parse.ts'
import {
  decimalString,
  serverAddSchema,
  serverHostname,
  serverJson,
  serverListSchema,
  serverUpdateSchema,
  serverUrlKey,
  urlLacksApiPath,
} from '../../src/schemas/server.ts'

/** What parseInput makes of the input: the value, or the usage error a user would see. */
function parsed(schema: Parameters<typeof parseInput>[0], raw: unknown): { value: unknown } | { error: string; exitCode: number } {
  try {
    return { value: parseInput(schema, raw) }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    return { error: e.message, exitCode: e.exitCode }
  }
}

const refused = (message: string) => ({ error: message, exitCode: 2 })
const NEEDS = refused('Server needs a URL and a secret')
const NON_ZERO = refused('Load-multiplier must be a non-zero number')
const API = 'https://bbb1.example.com/bigbluebutton/api'

describe('decimalString', () => {
  test.each([
    [1, '1.0'],
    [2.5, '2.5'],
    [10, '10.0'],
    [1.5, '1.5'],
    [0.5, '0.5'],
    [100, '100.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e-7, '0.0000001'],
    [1.25e-8, '0.0000000125'],
    [1.5e-25, '0.00000000000000000000000015'],
    [1e21, '1000000000000000000000.0'],
    [1.5e21, '1500000000000000000000.0'],
    [123456789012345680000, '123456789012345680000.0'],
  ])('%s is "%s"', (value, text) => {
    expect(decimalString(value)).toBe(text)
  })
})

describe('serverUrlKey', () => {
  test.each([
    ['https://bbb1.example.com/bigbluebutton/api', 'https://bbb1.example.com/bigbluebutton/api'],
    ['HTTPS://bbb1.example.com/bigbluebutton/api', 'https://bbb1.example.com/bigbluebutton/api'],
    ['https://BBB1.Example.COM/bigbluebutton/api', 'https://bbb1.example.com/bigbluebutton/api'],
    ['https://bbb1.example.com/bigbluebutton/api/', 'https://bbb1.example.com/bigbluebutton/api'],
    ['https://bbb1.example.com/bigbluebutton/api//', 'https://bbb1.example.com/bigbluebutton/api'],
    ['https://bbb1.example.com', 'https://bbb1.example.com'],
    ['https://bbb1.example.com/', 'https://bbb1.example.com'],
    // The path is not the host: its case is kept.
    ['https://bbb1.example.com/BigBlueButton/api', 'https://bbb1.example.com/BigBlueButton/api'],
    // A port is part of the server's address; the scheme's default one is not.
    ['http://bbb1.example.com:8080/bigbluebutton/api', 'http://bbb1.example.com:8080/bigbluebutton/api'],
    ['https://bbb1.example.com:443/bigbluebutton/api', 'https://bbb1.example.com/bigbluebutton/api'],
    // Rows other programs wrote need not be URLs at all.
    ['bbb1.example.com/', 'bbb1.example.com'],
  ])('%s → %s', (url, key) => {
    expect(serverUrlKey(url)).toBe(key)
  })

  test('two spellings of one URL share a key, another scheme does not', () => {
    expect(serverUrlKey('HTTPS://BBB1.example.com/bigbluebutton/api/')).toBe(serverUrlKey(API))
    expect(serverUrlKey('http://bbb1.example.com/bigbluebutton/api')).not.toBe(serverUrlKey(API))
  })
})

describe('serverHostname and urlLacksApiPath', () => {
  test('the hostname is the lower-cased host without the port, or the text itself for a non-URL', () => {
    expect(serverHostname('https://BBB1.Example.com:8443/bigbluebutton/api')).toBe('bbb1.example.com')
    expect(serverHostname('not a url')).toBe('not a url')
  })

  test.each([
    [API, false],
    [`${API}/`, false],
    ['https://bbb1.example.com/bigbluebutton', true],
    ['https://bbb1.example.com/', true],
    ['https://bbb1.example.com/apix', true],
  ])('%s lacks /api: %s', (url, lacks) => {
    expect(urlLacksApiPath(url)).toBe(lacks)
  })
})

describe('serverAddSchema', () => {
  test('a URL and a secret are enough: multiplier 1, no tag, disabled', () => {
    expect(parsed(serverAddSchema, { url: API, secret: 's3cr3t', enable: false })).toEqual({
      value: { url: API, secret: 's3cr3t', loadMultiplier: 1, tag: null, enable: false },
    })
  })

  test('the given multiplier, tag and --enable are kept', () => {
    expect(parsed(serverAddSchema, { url: API, secret: 's', loadMultiplier: '1.5', tag: 'test-tag', enable: true })).toEqual({
      value: { url: API, secret: 's', loadMultiplier: 1.5, tag: 'test-tag', enable: true },
    })
  })

  test.each([
    ['no URL', { secret: 's' }],
    ['no secret', { url: API }],
    ['neither', {}],
    ['an empty URL', { url: '', secret: 's' }],
    ['an empty secret', { url: API, secret: '' }],
  ])('%s: Server needs a URL and a secret', (_, raw) => {
    expect(parsed(serverAddSchema, { ...raw, enable: false })).toEqual(NEEDS)
  })

  test.each(['ftp://bbb1.example.com/bigbluebutton/api', 'bbb1.example.com/bigbluebutton/api', 'https://', 'file:///etc/hosts'])(
    'URL %s is refused',
    (url) => {
      expect(parsed(serverAddSchema, { url, secret: 's', enable: false })).toEqual(
        refused(`Server URL must start with http:// or https:// and name a host: ${url}`),
      )
    },
  )

  test('a missing secret is reported as missing, before a malformed URL (Scalelite checks blanks first)', () => {
    expect(parsed(serverAddSchema, { url: 'ftp://bbb1.example.com/bigbluebutton/api', enable: false })).toEqual(NEEDS)
    expect(parsed(serverAddSchema, { url: 'ftp://bbb1.example.com/bigbluebutton/api', secret: '', enable: false })).toEqual(NEEDS)
  })

  test.each([
    ['0', NON_ZERO],
    ['0.0', NON_ZERO],
    ['-0', NON_ZERO],
    ['abc', NON_ZERO],
    ['1.5abc', NON_ZERO],
    ['1,5', NON_ZERO],
    ['Infinity', NON_ZERO],
    ['-1', refused('Load-multiplier must be greater than zero')],
    ['-0.5', refused('Load-multiplier must be greater than zero')],
  ])('load multiplier %s is refused', (loadMultiplier, error) => {
    expect(parsed(serverAddSchema, { url: API, secret: 's', loadMultiplier, enable: false })).toEqual(error)
  })

  test.each([
    ['2.5', 2.5],
    ['10', 10],
    ['.5', 0.5],
    [' 3 ', 3],
    ['', 1],
  ])('load multiplier "%s" is %s', (loadMultiplier, value) => {
    expect(parsed(serverAddSchema, { url: API, secret: 's', loadMultiplier, enable: false })).toMatchObject({ value: { loadMultiplier: value } })
  })
})

describe('serverUpdateSchema', () => {
  test('nothing given changes nothing', () => {
    expect(parsed(serverUpdateSchema, {})).toEqual({ value: {} })
  })

  test('empty secret and multiplier are ignored; an empty tag removes the tag', () => {
    expect(parsed(serverUpdateSchema, { secret: '', loadMultiplier: '', tag: '', state: '' })).toEqual({
      value: { secret: undefined, loadMultiplier: undefined, tag: null, state: undefined },
    })
  })

  test.each([
    ['enable', 'enabled'],
    ['cordon', 'cordoned'],
    ['disable', 'disabled'],
  ])('state %s becomes %s', (state, stored) => {
    expect(parsed(serverUpdateSchema, { state })).toEqual({ value: { state: stored } })
  })

  test.each(['x', 'invalid_state', 'enabled', 'cordoned', 'disabled', 'ENABLE', 'toString', '__proto__'])(
    'state %s is an invalid state parameter',
    (state) => {
      expect(parsed(serverUpdateSchema, { state })).toEqual(refused(`Invalid state parameter: ${state}`))
    },
  )

  test('multiplier 2.5 is kept, 0 is refused as in Scalelite', () => {
    expect(parsed(serverUpdateSchema, { loadMultiplier: '2.5' })).toEqual({ value: { loadMultiplier: 2.5 } })
    expect(parsed(serverUpdateSchema, { loadMultiplier: '0' })).toEqual(NON_ZERO)
  })
})

describe('serverListSchema', () => {
  test('filters pass through', () => {
    expect(parsed(serverListSchema, { tag: 't', state: 'cordoned', online: true })).toEqual({
      value: { tag: 't', state: 'cordoned', online: true },
    })
  })

  test('--online with --offline is refused', () => {
    expect(parsed(serverListSchema, { online: true, offline: true })).toEqual(refused('Give --online or --offline, not both'))
  })

  test.each(['enable', 'x'])('state %s is an invalid state parameter', (state) => {
    expect(parsed(serverListSchema, { state })).toEqual(refused(`Invalid state parameter: ${state}`))
  })
})

describe('serverJson', () => {
  const server: Server = {
    id: 'id-1',
    url: API,
    secret: 's3cr3t',
    tag: null,
    state: 'enabled',
    load: 0,
    loadMultiplier: 1,
    online: true,
    bbbVersion: null,
  }

  test('keys in the API order, types as Scalelite renders them', () => {
    const json = JSON.stringify(serverJson(server))
    expect(json).toBe(
      `{"id":"id-1","url":"${API}","secret":"s3cr3t","tag":"","bbb_version":"","state":"enabled","load":0,"load_multiplier":"1.0","online":"online"}`,
    )
  })

  test('tag, version, load and multiplier as stored', () => {
    expect(serverJson({ ...server, tag: 'test-tag', bbbVersion: '3.0.24', state: 'cordoned', load: 21.5, loadMultiplier: 2.5, online: false })).toEqual({
      id: 'id-1',
      url: API,
      secret: 's3cr3t',
      tag: 'test-tag',
      bbb_version: '3.0.24',
      state: 'cordoned',
      load: 21.5,
      load_multiplier: '2.5',
      online: 'offline',
    })
  })

  test('no stored multiplier is the number 1', () => {
    expect(JSON.stringify(serverJson({ ...server, loadMultiplier: null }))).toContain('"load_multiplier":1,')
  })

  test('a disabled server, or one without a load, has load "unavailable"', () => {
    expect(serverJson({ ...server, state: 'disabled', load: 21.5 }).load).toBe('unavailable')
    expect(serverJson({ ...server, load: null }).load).toBe('unavailable')
  })
})
