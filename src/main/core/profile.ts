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
