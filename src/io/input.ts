// Documents a command reads: a file, or stdin for `-`.
import { readFile } from 'node:fs/promises'
import { UsageError } from '../errors.ts'

export async function readDocument(path: string): Promise<string> {
  try {
    if (path !== '-') return await readFile(path, 'utf8')
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  } catch (e) {
    const error = e as NodeJS.ErrnoException
    const reason = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'it is a folder' : error.code === 'EACCES' ? 'permission denied' : error.message
    throw new UsageError(`Cannot read ${path === '-' ? 'stdin' : path}: ${reason}`)
  }
}
