import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MailserverClient } from '../../src/main/core/whisper/mailserver-client'
import { WhisperNode } from '../../src/main/core/whisper/node'
import { topicFromString } from '../../src/main/core/whisper/topic'
import { HushNodeProcess } from './hush-node-process'

const ROOT = resolve(import.meta.dirname, '../..')
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), [resolve(ROOT, 'src/main/cli/hush-node.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('hush-node command line', () => {
  it.each([[['--listen', 'nowhere']], [['--static', 'enode://12@1.2.3.4:5']], [['--frobnicate']], [['--mailserver']]])(
    'refuses %j with one stderr line and exit code 2',
    (args) => {
      const r = run(args)
      expect(r.status).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^hush-node: /)
    }
  )

  it('dispatches the keys subcommand', () => {
    const r = run(['keys', '--generate'])
    expect(r.status).toBe(0)
    expect(() => JSON.parse(r.stdout.trim())).not.toThrow()
  })

  it('runs as a mailserver that serves history (codes 126/127/125 across processes), then stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-ms-'))
    dirs.push(dir)
    const proc = await HushNodeProcess.start(['--listen', '127.0.0.1:0', '--min-pow', '0.001', '--mailserver', '--data-dir', dir, '--mailserver-password', 'status-offline-inbox'])
    const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: 0.001 })
    const client = new MailserverClient({ node })
    try {
      await node.start()
      const added = new Promise((r) => node.once('peer:added', r))
      node.addPeer(proc.enode)
      await added
      const symKey = new Uint8Array(32).fill(5)
      const topic = topicFromString('hush/history')
      await node.post({ payload: new TextEncoder().encode('archived'), topic, key: { symKey } })
      const history: string[] = []
      node.subscribe({ topics: [topic], key: { symKey }, allowP2P: true }, (m) => history.push(new TextDecoder().decode(m.payload)))
      const now = Math.floor(Date.now() / 1000)
      // The archive write races our request; ask until the envelope is there (each answer is complete).
      for (let page = 0; history.length === 0 && page < 50; page++) {
        await client.request({ peerId: proc.id, from: now - 60, to: now + 60, topics: [topic] })
      }
      expect(history).toEqual(['archived'])
      await proc.waitFor(new RegExp(`^mailserver-served ${node.id} [0-9a-f]{64} envelopes=1$`))
    } finally {
      client.close()
      await node.stop()
    }
    expect(await proc.stop()).toBe(0)
    expect(proc.lines.at(-1)).toBe('stopped')
  })
})
