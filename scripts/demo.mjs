#!/usr/bin/env node
// `npm run demo [-- --dir DIR]`: two people and a relay on this machine. Builds if the build is missing or
// older than the sources, starts a hush-node relay that is also a mailserver on loopback, then two web hosts
// (profiles "alice" and "bob" under DIR, a fresh temporary folder by default) that peer with it and use it
// for offline history. Prints the two URLs to open; Ctrl-C stops everything. Each program's output goes to
// DIR/<name>.log.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

const ROOT = resolve(import.meta.dirname, '..')
const OUTPUTS = ['out/main/web-host.js', 'out/main/hush-node.js', 'out/renderer/index.html']

let options
try {
  options = parseArgs({ options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
} catch (error) {
  console.error(`${error.message}\nusage: npm run demo [-- --dir DIR]`)
  process.exit(2)
}
if (options.help) {
  console.log('usage: npm run demo [-- --dir DIR]   (profiles go to DIR/alice and DIR/bob; default: a new temporary folder)')
  process.exit(0)
}

function newestSource(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

const built = OUTPUTS.every((file) => existsSync(join(ROOT, file)))
if (!built || newestSource(join(ROOT, 'src')) > Math.min(...OUTPUTS.map((file) => statSync(join(ROOT, file)).mtimeMs))) {
  console.log('Building Hush…')
  const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), 'hush-demo-')))
mkdirSync(dir, { recursive: true })
const running = []
let stopping = false

/** Starts a built program, logs its output to DIR/<name>.log and resolves with its first stdout line. */
function start(name, script, args) {
  const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' })
  const child = spawn(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  running.push({ name, child })
  child.stderr.pipe(log)
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => log.write(`${line}\n`))
  child.once('exit', (code, signal) => {
    if (stopping) return
    // Ctrl-C in a terminal reaches the whole process group: a child may see it before we do.
    if (signal === 'SIGINT' || code === 0) return void stop(0)
    console.error(`${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); see ${join(dir, `${name}.log`)}`)
    void stop(1)
  })
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed nothing within 30 s; see ${join(dir, `${name}.log`)}`)), 30_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolvePromise(line.trim())
    })
  })
}

async function stop(code) {
  if (stopping) return
  stopping = true
  await Promise.all(
    running.map(
      ({ child }) =>
        new Promise((resolveExit) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolveExit()
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
          child.once('exit', () => {
            clearTimeout(timer)
            resolveExit()
          })
          child.kill('SIGTERM')
        })
    )
  )
  process.exit(code)
}
process.on('SIGINT', () => void stop(0))
process.on('SIGTERM', () => void stop(0))

try {
  const relay = await start('relay', 'out/main/hush-node.js', [
    '--listen',
    '127.0.0.1:0',
    '--mailserver',
    '--data-dir',
    join(dir, 'relay'),
    '--mailserver-password',
    randomBytes(12).toString('hex')
  ])
  if (!relay.startsWith('enode://')) throw new Error(`the relay printed no enode URL: ${relay}`)
  const urls = {}
  for (const name of ['alice', 'bob']) {
    const line = await start(name, 'out/main/web-host.js', [
      '--profile',
      join(dir, name),
      '--port',
      '0',
      '--p2p-listen',
      '127.0.0.1:0',
      '--static',
      relay,
      '--mailservers',
      relay
    ])
    urls[name] = /https?:\/\/\S+/.exec(line)?.[0]
    if (!urls[name]) throw new Error(`${name}'s host printed no URL: ${line}`)
  }
  console.log(`Relay and mailserver: ${relay}`)
  console.log(`Alice: ${urls.alice}`)
  console.log(`Bob:   ${urls.bob}`)
  console.log(`Profiles and logs in ${dir}. Open each URL in its own browser window; Ctrl-C stops everything.`)
} catch (error) {
  console.error(`The demo could not start: ${error.message}`)
  await stop(1)
}
