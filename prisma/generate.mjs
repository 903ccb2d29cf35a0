// Offline `prisma generate` for both providers. Prisma's CLI wants a schema-engine binary before it
// generates (it never runs it for generate); naming any existing file skips the download, which this
// machine cannot reach. See ../shared/notes/prisma-offline.md.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
execFileSync(process.execPath, [fileURLToPath(new URL('./schemas.mjs', import.meta.url))], { stdio: 'inherit' })

const cli = require.resolve('prisma/build/index.js')
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
}
for (const provider of ['sqlite', 'postgres']) {
  execFileSync(process.execPath, [cli, 'generate', '--config', fileURLToPath(new URL(`./${provider}.config.ts`, import.meta.url))], { stdio: 'inherit', env })
}
