#!/usr/bin/env node
// `npm test`: builds, runs the unit and multi-process tests (vitest) and the end-to-end tests (Playwright),
// then prints one closing line `N passed, N failed` summing both. Exits non-zero if anything failed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

const reports = 'reports'
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })

const run = (command, args, env = {}) =>
  spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1

if (run('npx', ['electron-vite', 'build', '--logLevel', 'warn']) !== 0) {
  console.log('0 passed, 1 failed')
  process.exit(1)
}

const unit = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${reports}/vitest.json`])
const e2e = run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/playwright.json` })

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null)
const v = read(`${reports}/vitest.json`)
const p = read(`${reports}/playwright.json`)?.stats
let passed = 0
let failed = 0
let skipped = 0
if (v) {
  passed += v.numPassedTests
  failed += v.numFailedTests
  skipped += v.numPendingTests + v.numTodoTests
} else failed += 1
if (p) {
  passed += p.expected + p.flaky
  failed += p.unexpected
  skipped += p.skipped
} else failed += 1
if (unit !== 0 && failed === 0) failed += 1
if (e2e !== 0 && failed === 0) failed += 1

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed === 0 ? 0 : 1)
