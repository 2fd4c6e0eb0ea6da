import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import type { AfterPackContext } from 'electron-builder'
import { Arch } from 'electron-builder'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import config, { FUSES, flipHushFuses } from '../../electron-builder'

const ROOT = resolve(import.meta.dirname, '../..')
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'

/** Bytes shaped like an Electron binary's fuse wire: the sentinel, version 1, nine fuses as Electron ships them. */
function fakeElectronBinary(path: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const shipped = '101011011' // RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, …
  writeFileSync(path, Buffer.concat([Buffer.from('\x7fELF…code…'), Buffer.from(SENTINEL), Buffer.from([1, shipped.length]), Buffer.from(shipped), Buffer.alloc(256)]))
}

const REQUIRED = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableCookieEncryption]: true
}

describe('packaging (electron-builder.ts)', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-pack-'))
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('sets the fuses: RunAsNode, NODE_OPTIONS and --inspect off; ASAR integrity, ASAR-only and cookie encryption on', () => {
    for (const [fuse, value] of Object.entries(REQUIRED)) expect(FUSES[Number(fuse) as FuseV1Options], FuseV1Options[Number(fuse)]).toBe(value)
    expect(FUSES[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false)
    expect(FUSES.strictlyRequireAllFuses).toBe(true)
  })

  it('flips them in the packed binary before signing, through its afterPack hook', () => {
    expect(config.afterPack).toBe(flipHushFuses)
    // electron-builder's own fuse option would flip a second time with its bundled @electron/fuses.
    expect(config.electronFuses ?? null).toBeNull()
  })

  const context = (electronPlatformName: string, appOutDir: string, arch = Arch.x64) =>
    ({ appOutDir, electronPlatformName, arch, outDir: dir, targets: [], packager: { appInfo: { productFilename: 'Hush' }, executableName: 'hush' } }) as unknown as AfterPackContext

  it.each([
    ['linux', 'hush'],
    ['win32', 'Hush.exe'],
    ['darwin', 'Hush.app/Contents/Frameworks/Electron Framework.framework/Electron Framework']
  ])('the hook flips a %s binary, read back from the file', async (platform, binary) => {
    const appOutDir = join(dir, platform)
    fakeElectronBinary(join(appOutDir, binary))
    await flipHushFuses(context(platform, appOutDir))
    const wire = await getCurrentFuseWire(join(appOutDir, binary))
    for (const [fuse, value] of Object.entries(REQUIRED)) {
      expect(wire[Number(fuse) as FuseV1Options], FuseV1Options[Number(fuse)]).toBe(value ? FuseState.ENABLE : FuseState.DISABLE)
    }
  })

  it('packages for Linux, macOS and Windows from the app ASAR, leaving out the web host and the CLI', () => {
    expect(config.asar).toBe(true)
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.mac?.target).toEqual(['dmg'])
    expect(config.win?.target).toEqual(['nsis'])
    expect(config.files).toEqual(expect.arrayContaining(['out/**/*', '!out/main/web-host.js', '!out/main/hush-node.js']))
    expect(config.publish).toBeNull()
  })

  it('packs the newest Electron 45 it was moved to, which runs no install script', () => {
    const electron = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string; scripts?: object }
    const declared = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies
    expect(declared.electron).toMatch(/^45\.\d+\.\d+$/)
    expect(electron.version).toBe(declared.electron)
    expect(electron.scripts ?? {}).toEqual({})
  })

  it('`npm run dist` says in one sentence when Electron cannot be downloaded', () => {
    // An unreachable mirror and an empty cache: the download fails the same way on every machine.
    const result = spawnSync(process.execPath, ['scripts/dist.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: join(dir, 'cache'), ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron') }
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toBe('')
    expect(result.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^Electron 45\.\d+\.\d+ could not be downloaded on this machine .*, so no desktop package was built\.$/)])
  })
})
