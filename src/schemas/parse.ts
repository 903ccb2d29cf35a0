import type { z } from 'zod'
import { UsageError, type ErrorKey } from '../errors.ts'

/** Validates raw command input at once; the first issue becomes the one-line usage error (exit 2). */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, key: ErrorKey = 'error'): z.output<S> {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  throw new UsageError(result.error.issues[0]?.message ?? 'invalid input', key)
}

/** Empty strings, and strings of only spaces, count as missing. */
export const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
