#!/usr/bin/env node
// `npm run electronegativity [-- --input dir]`: Doyensec's Electronegativity over the sources (src by default)
// for the installed Electron version, gated by scripts/electronegativity-gate.mjs. Exits non-zero on a HIGH
// finding, an unlisted MEDIUM one, or a file it could not parse (which would otherwise pass unscanned).
//
// It needs no network: its one fetch (updated translations, bounded by a 1 s timeout) may fail, and the
// release-list check that would fetch Electron's releases is left out (AvailableSecurityFixesGlobalCheck;
// Electron is kept on its newest patch release instead).
import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { judge } from './electronegativity-gate.mjs'

const { values } = parseArgs({ options: { input: { type: 'string', default: 'src' } } })
const require = createRequire(import.meta.url)

// Its TypeScript parser (@typescript-eslint/typescript-estree 4, hoisted to the top of node_modules) must use
// the TypeScript 4 that Electronegativity brings, not the project's TypeScript 7, which has no JavaScript API.
const typescript4 = createRequire(require.resolve('@doyensec/electronegativity/package.json')).resolve('typescript')
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  return request === 'typescript' ? typescript4 : resolveFilename.call(this, request, ...rest)
}

const electron = require('electron/package.json').version
const { version } = require('@doyensec/electronegativity/package.json')
const run = require('@doyensec/electronegativity')
const accepted = JSON.parse(readFileSync(new URL('../packaging/electronegativity-accepted.json', import.meta.url), 'utf8'))

const started = Date.now()
const { issues, errors } = await run({
  input: resolve(values.input),
  isRelative: true,
  customScan: [],
  excludeFromScan: ['availablesecurityfixesglobalcheck'],
  electronVersionOverride: electron
})
const { failures, counts } = judge(issues, values.input === 'src' ? accepted : [])
for (const error of errors.filter((error) => !error.tolerable)) failures.push(`could not parse ${error.file}: ${error.message}`)

for (const issue of issues) {
  console.log(`  ${issue.severity.name.padEnd(13)} ${issue.id} ${issue.file}:${issue.location.line}`)
}
for (const failure of failures) console.error(`  FAIL ${failure}`)
const summary = Object.entries(counts).map(([severity, count]) => `${count} ${severity}`).join(', ')
console.log(`Electronegativity ${version} on ${values.input} for Electron ${electron}: ${summary}; ${failures.length} failing, in ${((Date.now() - started) / 1000).toFixed(1)} s`)
process.exit(failures.length === 0 ? 0 : 1)
