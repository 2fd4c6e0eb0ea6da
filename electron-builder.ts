import { join } from 'node:path'
import { type FuseV1Config, FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses'
import { type AfterPackContext, Arch, type Configuration } from 'electron-builder'

/**
 * The Electron fuses of every Hush package, flipped in the binary before it is signed so the OS refuses a
 * binary where they were flipped back. `strictlyRequireAllFuses` makes a new fuse in a future Electron a
 * build error until it is decided here.
 */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  // ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node interpreter.
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS (and NODE_EXTRA_CA_CERTS) and --inspect would let anyone who starts the app run code in it.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // The app code is read only from app.asar, whose hash the signed binary carries (macOS and Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The page comes from hush://, never file://, so file:// needs no privileges beyond a browser's.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  // Electron's default: V8 guards WebAssembly memory with trap handlers instead of bounds checks.
  [FuseV1Options.WasmTrapHandlers]: true
} as const satisfies FuseV1Config

/** The Electron executable inside a packed app folder, as electron-builder names it per platform. */
export function packedExecutable(context: AfterPackContext): string {
  const { appOutDir, electronPlatformName, packager } = context
  const product = packager.appInfo.productFilename
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${product}.app`)
  if (electronPlatformName === 'win32') return join(appOutDir, `${product}.exe`)
  return join(appOutDir, (packager as unknown as { executableName: string }).executableName)
}

export async function flipHushFuses(context: AfterPackContext): Promise<void> {
  await flipFuses(packedExecutable(context), {
    ...FUSES,
    // An arm64 macOS binary must carry a valid (ad hoc) signature to start at all, even before signing.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === Arch.arm64
  })
}

/** `npm run dist`: desktop packages for Linux (AppImage, deb), macOS (dmg) and Windows (NSIS installer). */
const config: Configuration = {
  appId: 'im.hush.desktop',
  productName: 'Hush',
  executableName: 'hush',
  copyright: 'Copyright © Hush contributors',
  directories: { output: 'dist', buildResources: 'packaging' },
  // What electron-vite built, minus the headless web host and the CLI, which the desktop app does not run.
  files: ['out/**/*', '!out/main/web-host.js', '!out/main/hush-node.js', '!**/*.map', 'package.json'],
  // tiny-secp256k1 (a production dependency, so packed with its .wasm) reads that file with fs, which Electron
  // serves from inside app.asar, and compiles it in memory: nothing needs unpacking.
  asar: true,
  // classic-level ships N-API prebuilds, which Electron loads as they are: nothing to compile.
  npmRebuild: false,
  afterPack: flipHushFuses,
  publish: null,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Network;InstantMessaging',
    maintainer: 'Hush contributors',
    synopsis: 'A private messenger speaking the Status protocol'
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.social-networking',
    hardenedRuntime: true,
    entitlements: 'packaging/entitlements.mac.plist',
    entitlementsInherit: 'packaging/entitlements.mac.plist',
    extendInfo: { NSCameraUsageDescription: "Hush uses the camera only to scan a contact's QR code." }
  },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false }
}

export default config
