import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { rememberedPort, rememberPort } from './remembered-port'

describe('remembered web port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-port-'))
  afterEach(() => rmSync(join(dir, 'web-host.json'), { force: true }))

  it('comes back as it was saved', () => {
    rememberPort(dir, 41234)
    expect(rememberedPort(dir)).toBe(41234)
  })

  it('is 0 (any free port) when absent, corrupt or out of range', () => {
    expect(rememberedPort(dir)).toBe(0)
    writeFileSync(join(dir, 'web-host.json'), '{"port":')
    expect(rememberedPort(dir)).toBe(0)
    writeFileSync(join(dir, 'web-host.json'), '{"port":70000}')
    expect(rememberedPort(dir)).toBe(0)
  })
})
