import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fileSink } from './log/logger'
import { createProfileDir } from './profile'

const modeOf = (path: string) => statSync(path).mode & 0o777

describe.skipIf(process.platform === 'win32')('profile folder permissions', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hush-profile-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('creates a new profile folder, and missing parents, private to this user', () => {
    const profile = join(root, 'Hush', 'profiles', 'default')
    createProfileDir(profile)
    expect(modeOf(profile)).toBe(0o700)
    expect(modeOf(join(root, 'Hush'))).toBe(0o700)
  })

  it('makes an existing, world-readable profile folder private', () => {
    const profile = join(root, 'old')
    mkdirSync(profile, { mode: 0o755 })
    chmodSync(profile, 0o755)
    createProfileDir(profile)
    expect(modeOf(profile)).toBe(0o700)
  })

  it('a log file as the very first write still creates the profile private', () => {
    const profile = join(root, 'fresh')
    fileSink(join(profile, 'logs', 'hush.log'))
    expect(modeOf(profile)).toBe(0o700)
    expect(modeOf(join(profile, 'logs'))).toBe(0o700)
  })
})
