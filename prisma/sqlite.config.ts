// Used only by `prisma generate` (prisma/generate.mjs); migrations are applied at run time by src/db/migrate.ts.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

export default {
  schema: path.join(here, 'sqlite', 'schema.prisma'),
  migrations: { path: path.join(here, 'sqlite', 'migrations') },
}
