// vitest globalSetup: one throwaway redis-server for the whole test run (redis-server.ts), on a unix
// socket in a temporary folder; each test takes a database index of its own on it (redis-db.ts).
import type { TestProject } from 'vitest/node'
import { startRedis } from './redis-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The unix socket of the run's redis-server. */
    redisSocket: string
  }
}

export default async function setup(project: TestProject) {
  const server = await startRedis()
  project.provide('redisSocket', server.socket)
  return () => server.stop()
}
