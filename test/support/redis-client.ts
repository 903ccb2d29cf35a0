// A test's own connection to a test redis-server (on its unix socket), for seeding and reading keys.
import { Redis } from 'ioredis'

export async function startRedisClient(socket: string, db = 0, password?: string): Promise<Redis> {
  const redis = new Redis({ path: socket, db, password, lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  return redis
}
