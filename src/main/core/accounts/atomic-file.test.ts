import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { removeFileDurable, writeFileAtomic } from './atomic-file'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hush-atomic-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temp files', async () => {
    const file = join(dir, 'a.json')
    await writeFileAtomic(file, 'first')
    await writeFile(join(dir, 'other'), 'x')
    await writeFileAtomic(file, 'second')
    expect(await readFile(file, 'utf8')).toBe('second')
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'other'])
  })

  it.skipIf(process.platform === 'win32')('creates files readable by the owner only', async () => {
    const file = join(dir, 'secret.json')
    await writeFileAtomic(file, 'x')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('fails cleanly when the target cannot be replaced, removing its temp file', async () => {
    // Renaming a file over a non-empty directory fails on every platform.
    await mkdir(join(dir, 'busy'))
    await writeFile(join(dir, 'busy', 'child'), 'c')
    await expect(writeFileAtomic(join(dir, 'busy'), 'new')).rejects.toThrow()
    expect(await readdir(dir)).toEqual(['busy'])
    expect(await readFile(join(dir, 'busy', 'child'), 'utf8')).toBe('c')
  })

  it('fails when the folder does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('removeFileDurable', () => {
  it('deletes the file', async () => {
    const file = join(dir, 'gone')
    await writeFileAtomic(file, 'x')
    await removeFileDurable(file)
    expect(await readdir(dir)).toEqual([])
  })
})
