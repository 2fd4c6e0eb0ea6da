import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type AcceptedFinding, judge as gate, type ScanIssue as Issue } from '../../scripts/electronegativity-gate.mjs'

const ROOT = resolve(import.meta.dirname, '../..')
const issue = (id: string, severity: string, file = 'main/electron/window.ts'): Issue => ({ id, severity: { name: severity }, file, location: { line: 3, column: 7 } })
const reason = 'Reviewed: the value is validated by safeExternalUrl() before it gets here.'

describe('the Electronegativity gate', () => {
  it('fails on any HIGH finding, listed or not', () => {
    const { failures } = gate([issue('CONTEXT_ISOLATION_JS_CHECK', 'HIGH')], [{ check: 'CONTEXT_ISOLATION_JS_CHECK', file: 'main/electron/window.ts', reason }])
    expect(failures.some((failure) => failure.startsWith('HIGH CONTEXT_ISOLATION_JS_CHECK'))).toBe(true)
  })

  it('fails on a MEDIUM finding that is not listed for that file', () => {
    const accepted = [{ check: 'OPEN_EXTERNAL_JS_CHECK', file: 'main/index.ts', reason }]
    const { failures } = gate([issue('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM'), issue('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', 'main/index.ts')], accepted)
    expect(failures).toEqual([expect.stringMatching(/^MEDIUM OPEN_EXTERNAL_JS_CHECK in main\/electron\/window\.ts:3:7 is neither fixed nor listed/)])
  })

  it('passes listed MEDIUM findings and ignores LOW ones, counting each severity', () => {
    const { failures, counts } = gate([issue('PRELOAD_JS_CHECK', 'MEDIUM'), issue('CSP_GLOBAL_CHECK', 'LOW')], [{ check: 'PRELOAD_JS_CHECK', file: 'main/electron/window.ts', reason }])
    expect(failures).toEqual([])
    expect(counts).toMatchObject({ HIGH: 0, MEDIUM: 1, LOW: 1 })
  })

  it('fails on a listed finding that no longer occurs, and on a listing without a real reason', () => {
    const { failures } = gate([issue('PRELOAD_JS_CHECK', 'MEDIUM')], [
      { check: 'PRELOAD_JS_CHECK', file: 'main/electron/window.ts', reason: 'ok' },
      { check: 'AUXCLICK_JS_CHECK', file: 'main/electron/window.ts', reason }
    ])
    expect(failures).toEqual([expect.stringContaining('gives no real reason'), expect.stringContaining('AUXCLICK_JS_CHECK main/electron/window.ts no longer occurs')])
  })

  it('gives every accepted finding in the checked-in list a reason', () => {
    const accepted = JSON.parse(readFileSync(resolve(ROOT, 'packaging/electronegativity-accepted.json'), 'utf8')) as AcceptedFinding[]
    expect(accepted.length).toBeGreaterThan(0)
    for (const entry of accepted) expect(entry.reason.length, `${entry.check} ${entry.file}`).toBeGreaterThan(40)
  })

  it('catches a deliberately insecure main file through the real scanner (TypeScript parsed, no network needed)', () => {
    const result = spawnSync(process.execPath, ['scripts/electronegativity.mjs', '--input', 'test/fixtures/insecure-electron'], { cwd: ROOT, encoding: 'utf8' })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/FAIL HIGH CONTEXT_ISOLATION_JS_CHECK in main\.ts:5/)
    expect(result.stdout).toMatch(/: 2 HIGH, /)
  })
})
