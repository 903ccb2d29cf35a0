// The pieces of the Redis backend that need no server: key names, Ruby's to_d, the URL forms.
import { describe, expect, test } from 'vitest'
import { parseRedisUrl } from '../../src/db/redis-connect.ts'
import { collidesWithScaleliteKey, keyspace, namespaceOf } from '../../src/db/redis-keys.ts'
import { rubyDecimal } from '../../src/db/redis-store.ts'
import { redact } from '../../src/redact.ts'

describe('key names', () => {
  test('only key names carry the namespace; an empty one means no prefix', () => {
    const k = keyspace('scalelite')
    expect([k.servers, k.server('x'), k.serverEnabled, k.serverLoad, k.cordonedLoad, k.counters('x'), k.meeting('m'), k.voiceBridges, k.tenantName('acme')]).toEqual([
      'scalelite:servers',
      'scalelite:server:x',
      'scalelite:server_enabled',
      'scalelite:server_load',
      'scalelite:cordoned_server_load',
      'scalelite:x',
      'scalelite:meeting:m',
      'scalelite:voice_bridges',
      'scalelite:tenant_name:acme',
    ])
    expect([keyspace('').servers, keyspace('').tenant('t'), keyspace('').prefix]).toEqual(['servers', 'tenant:t', ''])
  })

  test('REDIS_NAMESPACE: unset is scalelite, empty is none', () => {
    expect([namespaceOf({}), namespaceOf({ REDIS_NAMESPACE: '' }), namespaceOf({ REDIS_NAMESPACE: 'scalelite_test' })]).toEqual(['scalelite', '', 'scalelite_test'])
  })

  test("ids that would share a key with Scalelite's data", () => {
    expect(['servers', 'meetings', 'tenants', 'server_load', 'voice_bridges', 'server:x', 'a:b'].map(collidesWithScaleliteKey)).toEqual(Array(7).fill(true))
    expect(['bbb1.example.com', '2d2d674a-c6bb-48f3-8ad4-68f33a80a5b7', 'server'].map(collidesWithScaleliteKey)).toEqual([false, false, false])
  })
})

test.each([
  ['1.0', 1],
  ['2.50', 2.5],
  ['0.15e1', 1.5],
  ['1.5abc', 1.5],
  ['  3', 3],
  ['1_000', 1000],
  ['.5', 0.5],
  ['-1.5', -1.5],
  ['abc', 0],
  ['', 0],
  ['e5', 0],
])('Ruby %j.to_d is %d', (text, value) => {
  expect(rubyDecimal(text)).toBe(value)
})

describe('Redis URLs', () => {
  test('password percent-decoded and registered as a secret, user, database, host and port', () => {
    const target = parseRedisUrl('redis://operator:p%40ss%3Aw%2Frd%231@redis.internal:6380/3')
    expect(target.options).toMatchObject({ username: 'operator', password: 'p@ss:w/rd#1', host: 'redis.internal', port: 6380, db: 3, connectTimeout: 10_000 })
    expect(target.where).toBe('redis.internal:6380/3')
    expect(redact('AUTH failed for p@ss:w/rd#1')).toBe('AUTH failed for ****')
  })

  test('defaults, the h:password form, a unix socket and connect_timeout', () => {
    expect(parseRedisUrl('redis://localhost').options).toMatchObject({ host: 'localhost', port: 6379, db: 0 })
    expect(parseRedisUrl('redis://h:pw-123@localhost').options).toMatchObject({ username: 'h', password: 'pw-123' })
    const unix = parseRedisUrl('unix:///run/redis/redis.sock?db=2&connect_timeout=0.5')
    expect(unix.options).toMatchObject({ path: '/run/redis/redis.sock', db: 2, connectTimeout: 500 })
    expect(unix.where).toBe('unix socket /run/redis/redis.sock (database 2)')
  })

  test('bad values are usage errors', () => {
    expect(() => parseRedisUrl('redis://localhost/abc')).toThrow("Invalid Redis database index 'abc' in 'redis://localhost/abc'")
    expect(() => parseRedisUrl('redis://localhost?connect_timeout=soon')).toThrow("connect_timeout must be a number of seconds above 0, not 'soon'")
  })
})
