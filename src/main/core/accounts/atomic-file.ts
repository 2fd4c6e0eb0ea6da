import { open, rename, rm, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { isErrno } from './errno'

/** Prefix of in-flight temp files; readers of the folder skip names starting with it. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Replaces `path` so that after a crash it holds either the old or the new bytes, never a mix:
 * write a temp file in the same folder, fsync it, rename over the target, fsync the folder.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}.${bytesToHex(randomBytes(6))}`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDirectory(dir)
}

/** Deletes `path` and makes the deletion durable. */
export async function removeFileDurable(path: string): Promise<void> {
  await unlink(path)
  await syncDirectory(dirname(path))
}

async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (error) {
    // Windows cannot open or fsync a directory; there the rename itself is the best guarantee.
    if (!isErrno(error, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES')) throw error
  } finally {
    await handle?.close()
  }
}
