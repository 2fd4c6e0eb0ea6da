/**
 * `npm run bench [name…]`: runs every bench module (or the named ones, e.g. `npm run bench -- abuse`)
 * one after another, prints each figure as it comes, and writes BENCHMARKS.md with the machine, the
 * date and the results. A run of named suites replaces only their sections and keeps the others.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { basename, join } from 'node:path'
import type { BenchResult, BenchSuite } from './result'

interface SuiteReport {
  file: string
  title: string
  /** 1-minute load average when the suite started: other work on the machine skews timings. */
  load: number
  results: BenchResult[]
  error?: string
  seconds: number
}

const only = new Set(process.argv.slice(2))
const files = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.ts') && !['index.ts', 'result.ts'].includes(file))
  .filter((file) => only.size === 0 || only.has(basename(file, '.ts')))
  .sort()

const reports: SuiteReport[] = []
for (const file of files) {
  const started = performance.now()
  const load = loadavg()[0] ?? 0
  const module = (await import(join(import.meta.dirname, file))) as { suite?: BenchSuite }
  if (!module.suite) continue
  process.stdout.write(`\n## ${module.suite.title} (${file})\n`)
  try {
    const results = await module.suite.run()
    for (const result of results) process.stdout.write(`  ${result.name}: ${format(result.value)} ${result.unit}${result.target ? `  (target ${result.target})` : ''}\n`)
    reports.push({ file, title: module.suite.title, load, results, seconds: (performance.now() - started) / 1000 })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stdout.write(`  FAILED: ${message}\n`)
    reports.push({ file, title: module.suite.title, load, results: [], error: message, seconds: (performance.now() - started) / 1000 })
  }
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US')
  return Number(value.toPrecision(3)).toString()
}

const cpu = cpus()[0]?.model ?? 'unknown CPU'
const measured = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`
const sections = new Map<string, string>()
for (const report of reports) {
  const lines = [`## ${report.title}`, '', `\`bench/${report.file}\`, ${report.seconds.toFixed(1)} s, measured ${measured}, load average ${report.load.toFixed(1)} at its start.`, '']
  if (report.error) {
    lines.push(`**Failed:** ${report.error}`, '')
  } else {
    lines.push('| measurement | value | unit | target / reference | note |', '| --- | ---: | --- | --- | --- |')
    for (const r of report.results) lines.push(`| ${r.name} | ${format(r.value)} | ${r.unit} | ${r.target ?? ''} | ${r.note ?? ''} |`)
    lines.push('')
  }
  sections.set(report.file, lines.join('\n'))
}
const target = join(import.meta.dirname, '..', 'BENCHMARKS.md')
// A partial run keeps the sections of suites it did not run, in their place, and adds new ones at the end.
// Hand-written sections (notes on the figures, no `bench/…` file line) are kept by every run.
const previous = existsSync(target) ? readFileSync(target, 'utf8') : ''
// Files written before sections carried their own date had one "Measured …" line for all of them.
const measuredBefore = /^Measured (.+)\.$/m.exec(previous)?.[1]
const body: string[] = []
const notes: string[] = []
for (const section of previous.split(/^(?=## )/m).slice(1)) {
  const file = /^`bench\/([^`]+)`/m.exec(section)?.[1] ?? ''
  if (file === '') {
    notes.push(section.trimEnd())
    continue
  }
  if (only.size === 0) continue
  const dated = measuredBefore && !/, measured /.test(section) ? section.replace(/^(`bench\/[^`]+`, [\d.]+ s)\.$/m, `$1, measured ${measuredBefore}.`) : section
  body.push(sections.get(file) ?? dated.trimEnd())
  sections.delete(file)
}
body.push(...sections.values(), ...notes)
const header = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (all suites) or `npm run bench -- NAME…` (those suites only); each section says when and',
  'on which machine it was measured. Figures vary by a few per cent between runs on this 2-core machine.',
  ''
]
writeFileSync(target, `${[...header, ...body.map((section) => `${section.trimEnd()}\n`)].join('\n')}`)
process.stdout.write(`\nWrote BENCHMARKS.md (${reports.length} suites)\n`)
