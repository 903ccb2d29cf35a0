import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The CLI tests spawn processes; two cores.
    maxWorkers: 2,
    globalSetup: ['test/support/postgres-cluster.ts', 'test/support/redis-global.ts'],
  },
})
