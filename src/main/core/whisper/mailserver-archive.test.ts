import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import { FULL_BLOOM, mergeBlooms, topicToBloom } from './bloom'
import { encodeEnvelope, envelopeHash, type Envelope } from './envelope'
import { MailserverArchive } from './mailserver-archive'

const T1 = hexToBytes('cd423760')
const T2 = hexToBytes('f8946aac')
const dirs: string[] = []
const archives: MailserverArchive[] = []

afterEach(async () => {
  await Promise.all(archives.splice(0).map((a) => a.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hush-archive-'))
  dirs.push(dir)
  return dir
}

async function open(dir: string): Promise<MailserverArchive> {
  const archive = await MailserverArchive.open(dir)
  archives.push(archive)
  return archive
}

function item(sent: number, topic = T1, tag = 0): { envelope: Envelope; encoded: Uint8Array; hash: Uint8Array } {
  const envelope: Envelope = { expiry: sent + 10, ttl: 10, topic, data: Uint8Array.of(tag, sent & 255), nonce: 0n }
  const encoded = encodeEnvelope(envelope)
  return { envelope, encoded, hash: envelopeHash(encoded) }
}

const all = { lower: 0, upper: 0xffff_ffff, bloom: FULL_BLOOM, limit: 1000, cursor: new Uint8Array(0) }

describe('MailserverArchive', () => {
  it('returns a time range newest first, filtered by bloom', async () => {
    const archive = await open(await tempDir())
    for (let s = 100; s < 110; s++) await archive.put(item(s, s % 2 === 0 ? T1 : T2))
    const page = await archive.query({ ...all, lower: 102, upper: 107 })
    expect(page.envelopes.map((e) => new DataView(e.key.buffer, e.key.byteOffset).getUint32(0))).toEqual([107, 106, 105, 104, 103, 102])
    expect(page.cursor).toHaveLength(0)
    const t1 = await archive.query({ ...all, lower: 102, upper: 107, bloom: topicToBloom(T1) })
    expect(t1.envelopes).toHaveLength(3)
    const both = await archive.query({ ...all, bloom: mergeBlooms(topicToBloom(T1), topicToBloom(T2)) })
    expect(both.envelopes).toHaveLength(10)
    const first = page.envelopes[0]!
    expect(bytesToHex(first.hash)).toBe(bytesToHex(envelopeHash(first.encoded)))
  })

  it('pages with limit and cursor without gaps or repeats, including envelopes sharing a second', async () => {
    const archive = await open(await tempDir())
    const hashes = new Set<string>()
    for (let s = 0; s < 25; s++) {
      const archived = item(1000 + Math.floor(s / 3), T1, s)
      hashes.add(bytesToHex(archived.hash))
      await archive.put(archived)
    }
    await archive.put(item(1003, T2, 99))
    const seen: string[] = []
    let cursor: Uint8Array = new Uint8Array(0)
    let pages = 0
    do {
      const page = await archive.query({ ...all, bloom: topicToBloom(T1), limit: 4, cursor })
      seen.push(...page.envelopes.map((e) => bytesToHex(e.hash)))
      cursor = page.cursor
      pages++
    } while (cursor.length > 0)
    expect(pages).toBe(7)
    expect(seen).toHaveLength(25)
    expect(new Set(seen)).toEqual(hashes)
  })

  it('a limit that exactly exhausts the range returns no cursor', async () => {
    const archive = await open(await tempDir())
    for (let s = 0; s < 4; s++) await archive.put(item(500 + s))
    expect((await archive.query({ ...all, limit: 4 })).cursor).toHaveLength(0)
    expect((await archive.query({ ...all, limit: 3 })).cursor).toHaveLength(36)
  })

  it('prunes by sent time and survives a restart', async () => {
    const dir = await tempDir()
    const archive = await open(dir)
    for (let s = 0; s < 10; s++) await archive.put(item(2000 + s))
    expect(await archive.prune(2004)).toBe(4)
    expect(await archive.prune(2004)).toBe(0)
    await archive.close()
    archives.splice(archives.indexOf(archive), 1)
    const reopened = await open(dir)
    expect(await reopened.count()).toBe(6)
    expect((await reopened.query(all)).envelopes.at(-1)?.key.subarray(0, 4)).toEqual(Uint8Array.of(0, 0, 0x07, 0xd4))
  })
})
