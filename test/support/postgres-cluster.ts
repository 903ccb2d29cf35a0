// vitest globalSetup: one throwaway PostgreSQL cluster for the whole test run (postgres-server.ts);
// each test makes its own database on it (db.ts). TEST_PG_URL=postgresql://user@host:port/db uses a
// server of your own instead.
import type { TestProject } from 'vitest/node'
import { startPostgres } from './postgres-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string
    /** A role that must log in with a password over TCP, for the redaction tests; '' when unavailable. */
    pgPasswordUrl: string
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_PG_URL) {
    project.provide('pgUrl', process.env.TEST_PG_URL)
    project.provide('pgPasswordUrl', '')
    return
  }
  const server = await startPostgres()
  project.provide('pgUrl', server.url)
  project.provide('pgPasswordUrl', server.passwordUrl)
  return () => server.stop()
}
