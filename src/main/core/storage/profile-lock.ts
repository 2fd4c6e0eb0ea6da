import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { HushError } from '../../../shared/api'

/**
 * One running host per profile folder: two processes writing the same keystore and protocol state would
 * corrupt both. The lock is a file holding the owner's pid; a lock left by a dead process is taken over.
 */
export class ProfileLock {
  /** Locks this process holds: a lock file naming our own pid is stale unless it is in here. */
  private static readonly held = new Set<string>()

  private constructor(private readonly path: string) {}

  static acquire(profileDir: string): ProfileLock {
    const path = join(profileDir, 'hush.lock')
    if (ProfileLock.held.has(path)) {
      throw new HushError('CONFLICT', 'This profile is already open in this Hush process')
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600)
        writeSync(fd, String(process.pid))
        closeSync(fd)
        ProfileLock.held.add(path)
        return new ProfileLock(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const owner = Number.parseInt(readFileSafe(path), 10)
        if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
          throw new HushError('CONFLICT', `This profile is already open in another Hush process (pid ${owner})`)
        }
        unlinkSync(path)
      }
    }
    throw new HushError('CONFLICT', 'Could not lock the profile folder')
  }

  release(): void {
    ProfileLock.held.delete(this.path)
    try {
      unlinkSync(this.path)
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
