// Writes prisma/<provider>/schema.prisma from prisma/models.prisma, the single source of truth.
// With --check it writes nothing and exits 1 when a generated schema is stale (for CI).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'

const models = readFileSync(new URL('./models.prisma', import.meta.url), 'utf8')
const providers = { sqlite: 'sqlite', postgres: 'postgresql' }
const check = process.argv.includes('--check')
let stale = false

for (const [dir, provider] of Object.entries(providers)) {
  const text = `// GENERATED from prisma/models.prisma by prisma/schemas.mjs: do not edit.
generator client {
  provider      = "prisma-client"
  output        = "../../src/generated/${dir}"
  moduleFormat  = "esm"
  compilerBuild = "small"
}

datasource db {
  provider = "${provider}"
}

${models}`
  const file = new URL(`./${dir}/schema.prisma`, import.meta.url)
  let current = null
  try {
    current = readFileSync(file, 'utf8')
  } catch {}
  if (current === text) continue
  if (check) {
    console.error(`stale: prisma/${dir}/schema.prisma (run: node prisma/schemas.mjs)`)
    stale = true
    continue
  }
  mkdirSync(new URL(`./${dir}/`, import.meta.url), { recursive: true })
  writeFileSync(file, text)
}

if (stale) process.exit(1)
