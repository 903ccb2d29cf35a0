import { describe, expect, test } from 'vitest'
import { describePgError, pgConnectTimeoutMs, providerOf, sqlitePath } from '../../src/db/index.ts'
import { redact, redactUrl, registerSecret } from '../../src/redact.ts'

describe('redaction', () => {
  test('a URL password becomes ****', () => {
    expect(redactUrl('postgresql://admin:s3cret@db.internal:5432/scalelite')).toBe('postgresql://admin:****@db.internal:5432/scalelite')
    expect(redactUrl('redis://h:s3cret@redis:6379/0')).toBe('redis://h:****@redis:6379/0')
    expect(redactUrl('postgresql://admin@db/scalelite')).toBe('postgresql://admin@db/scalelite')
  })

  test('URLs inside a message and registered secrets are hidden', () => {
    expect(redact('failed for postgres://u:pw1234@h/db and more')).toBe('failed for postgres://u:****@h/db and more')
    registerSecret('p@ss/w0rd')
    expect(redact('auth failed: p@ss/w0rd; p%40ss%2Fw0rd')).toBe('auth failed: ****; ****')
  })
})

describe('database URLs', () => {
  test('the provider comes from the scheme', () => {
    expect(providerOf('file:./x.db')).toBe('sqlite')
    expect(providerOf('postgresql://h/db')).toBe('postgres')
    expect(providerOf('postgres://h/db')).toBe('postgres')
    expect(providerOf('redis://:pw@h:6379/0')).toBe('redis')
    expect(providerOf('rediss://h')).toBe('redis')
    expect(providerOf('unix:///run/redis/redis.sock')).toBe('redis')
    expect(() => providerOf('mysql://u:pw@h/db')).toThrow("Unsupported database URL 'mysql://u:****@h/db': use file:PATH, postgresql://… or redis://…")
  })

  test('file URLs name a path', () => {
    expect(sqlitePath('file:./data/x.db')).toBe('./data/x.db')
    expect(sqlitePath('file:/var/lib/x.db')).toBe('/var/lib/x.db')
    expect(sqlitePath('file:///var/lib/x.db')).toBe('/var/lib/x.db')
  })

  test('PostgreSQL errors become one line without a password', () => {
    const url = new URL('postgresql://admin:pw@db.internal:6432/scalelite')
    expect(describePgError(Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' }), url)).toBe(
      'cannot connect to PostgreSQL at db.internal:6432/scalelite: unknown host',
    )
    expect(describePgError(Object.assign(new Error('x'), { code: '28P01' }), url)).toBe(
      'cannot connect to PostgreSQL at db.internal:6432/scalelite: password authentication failed',
    )
    expect(describePgError(new Error('Connection terminated due to connection timeout'), new URL('postgresql://h/db'))).toBe(
      'cannot connect to PostgreSQL at h:5432/db: connection timed out',
    )
  })

  test('connect timeout: URL, then PGCONNECT_TIMEOUT, then 10 s', () => {
    expect(pgConnectTimeoutMs(new URL('postgresql://h/db?connect_timeout=3'), { PGCONNECT_TIMEOUT: '7' })).toBe(3000)
    expect(pgConnectTimeoutMs(new URL('postgresql://h/db'), { PGCONNECT_TIMEOUT: '7' })).toBe(7000)
    expect(pgConnectTimeoutMs(new URL('postgresql://h/db'), {})).toBe(10_000)
    expect(() => pgConnectTimeoutMs(new URL('postgresql://h/db?connect_timeout=0'), {})).toThrow('connect_timeout must be a number of seconds above 0')
  })
})
