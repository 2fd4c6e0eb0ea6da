import { chmodSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Where a profile lives when the user does not say. Several instances run side by side by giving each its
 * own folder (`--user-data-dir` in Electron, `--profile` in the web host).
 */
export function defaultProfileDir(name = 'default'): string {
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config')
  return join(base, 'Hush', 'profiles', name)
}

export function resolveProfileDir(given: string | undefined): string {
  return given ? resolve(given) : defaultProfileDir()
}

/** Private to this user: keys, history and logs live here. */
export const PROFILE_DIR_MODE = 0o700

/**
 * Creates the profile folder (and any missing parents) readable by this user only, or makes an existing
 * one so, before anything is written in it: a folder created with the default umask would let other
 * local users list and read what lands there.
 */
export function createProfileDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PROFILE_DIR_MODE })
  chmodSync(dir, PROFILE_DIR_MODE)
}
