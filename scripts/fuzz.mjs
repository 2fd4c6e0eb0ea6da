#!/usr/bin/env node
// `npm run fuzz`: the property/fuzz suite (test/fuzz) on its own, at the budget `npm test` gives it.
// `npm run fuzz -- --long` multiplies every property's budget (default ×40, `--scale N` to choose) and prints
// how many inputs ran in total; it exits non-zero if a property failed or a long run fell short of 1,000,000.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const args = process.argv.slice(2)
const long = args.includes('--long')
const scaleAt = args.indexOf('--scale')
const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : long ? 40 : 1
if (!Number.isInteger(scale) || scale < 1) {
  console.error('--scale takes a whole number of at least 1')
  process.exit(2)
}
const LONG_MINIMUM = 1_000_000

const dir = mkdtempSync(join(tmpdir(), 'hush-fuzz-'))
const tally = join(dir, 'tally.tsv')
const started = Date.now()
const status =
  spawnSync('npx', ['vitest', 'run', '--project', 'node', 'test/fuzz', '--testTimeout', String(30_000 * scale)], {
    stdio: 'inherit',
    env: { ...process.env, HUSH_FUZZ_SCALE: String(scale), HUSH_FUZZ_TALLY: tally }
  }).status ?? 1

let lines = []
try {
  lines = readFileSync(tally, 'utf8').trim().split('\n').filter(Boolean)
} catch {
  // No property ran: reported below as 0 inputs.
}
rmSync(dir, { recursive: true, force: true })
const total = lines.reduce((sum, line) => sum + Number(line.split('\t')[0]), 0)
const minutes = ((Date.now() - started) / 60_000).toFixed(1)
console.log(`fuzz: ${total.toLocaleString('en')} inputs over ${lines.length} properties at ×${scale} in ${minutes} min: ${status === 0 ? 'no failure' : 'FAILED'}`)
process.exit(status !== 0 || (long && total < LONG_MINIMUM) ? 1 : 0)
