import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import * as snappy from 'snappyjs'
import { describe, expect, it } from 'vitest'
import { createWasmMacHash, snappyLiteral } from './devp2p-workarounds'

describe('snappyLiteral', () => {
  it.each([0, 1, 59, 60, 61, 255, 256, 257, 65536, 65537, 300_000, 1 << 24])('is a valid snappy block for %i bytes', (n) => {
    const payload = new Uint8Array(n)
    for (let i = 0; i < n; i++) payload[i] = (i * 7 + 3) & 0xff
    const block = snappyLiteral(payload)
    expect(block.length).toBeLessThanOrEqual(n + 10)
    expect(Buffer.from(snappy.uncompress(block)).equals(Buffer.from(payload))).toBe(true)
  })
})

describe('wasm frame MAC hash', () => {
  it('gives the same running digests as the JS keccak the library uses, however updates and digests interleave', async () => {
    const wasm = await createWasmMacHash()
    const other = await createWasmMacHash()
    const js = keccak_256.create()
    const fromWasm: string[] = []
    const fromJs: string[] = []
    for (let i = 0; i < 200; i++) {
      const chunk = new Uint8Array((i * 37) % 300).fill(i)
      wasm.update(chunk)
      other.update(Uint8Array.of(i))
      js.update(chunk)
      fromWasm.push(bytesToHex(wasm.clone().digest()))
      fromJs.push(bytesToHex(js.clone().digest()))
    }
    expect(fromWasm).toEqual(fromJs)
  })
})
