// Used only by `prisma generate` (scripts/prisma-generate.mjs); migrations are applied by src/db/migrate.ts.
export default {
  schema: 'prisma/postgres/schema.prisma',
  migrations: { path: 'prisma/postgres/migrations' },
}
