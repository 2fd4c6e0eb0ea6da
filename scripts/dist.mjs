#!/usr/bin/env node
// `npm run dist [-- electron-builder options]`: desktop packages of Hush with electron-builder (configured in
// electron-builder.ts, fuses included), written to dist/. Extra options go to electron-builder, e.g.
// `npm run dist -- --linux deb` or `-- --win --x64`.
//
// Packaging needs Electron's release archive, which comes from GitHub (or $ELECTRON_MIRROR). It is fetched
// first, the way `npm start` fetches it, so a machine that cannot get it hears so in one sentence, before
// anything is built, rather than through a download stack trace.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const { version } = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8'))
const fetched = spawnSync('npx', ['install-electron'], { encoding: 'utf8' })
if (fetched.status !== 0) {
  console.log(`Electron ${version} could not be downloaded on this machine (from GitHub or $ELECTRON_MIRROR), so no desktop package was built.`)
  process.exit(1)
}

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit' }).status ?? 1
const built = run('npx', ['electron-vite', 'build', '--logLevel', 'warn'])
if (built !== 0) process.exit(built)
process.exit(run('npx', ['electron-builder', '--publish', 'never', ...process.argv.slice(2)]))
