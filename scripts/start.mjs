#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary can be had (fetched on first use, the normal way);
// otherwise one sentence saying so, then the same app served by the headless web host.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const forward = process.argv.slice(2)
const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

const install = spawnSync('npx', ['install-electron'], { encoding: 'utf8' })
if (install.status === 0 && existsSync('node_modules/electron/path.txt')) {
  const electron = spawn('npx', ['electron-vite', 'preview', '--', ...forward], { stdio: 'inherit' })
  electron.on('exit', (code) => process.exit(code ?? 0))
} else {
  console.log('The Electron binary is not available on this machine, so Hush runs in your browser instead: open the URL below.')
  const web = spawn(process.execPath, ['out/main/web-host.js', ...forward], { stdio: 'inherit' })
  const stop = (signal) => web.kill(signal)
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  web.on('exit', (code) => process.exit(code ?? 0))
}
