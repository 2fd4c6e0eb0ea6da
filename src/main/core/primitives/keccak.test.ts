import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { hashingBackend, initHashing, keccak256, keccak256Parts, keccakWithPrefix } from './keccak'

const EMPTY = 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
const PREFIX = utf8ToBytes('cc8001840000000084deadbeef'.repeat(5))

function check(): void {
  expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(EMPTY)
  const hashNonce = keccakWithPrefix(PREFIX)
  for (const n of [0, 1, 255, 70000]) {
    const suffix = Uint8Array.of(0, 0, 0, 0, 0, n >> 16, (n >> 8) & 255, n & 255)
    const whole = new Uint8Array(PREFIX.length + 8)
    whole.set(PREFIX)
    whole.set(suffix, PREFIX.length)
    expect(bytesToHex(hashNonce(suffix))).toBe(bytesToHex(keccak256(whole)))
    expect(bytesToHex(keccak256Parts([PREFIX.subarray(0, 7), PREFIX.subarray(7), suffix]))).toBe(bytesToHex(keccak256(whole)))
  }
  expect(bytesToHex(keccak256Parts([]))).toBe(EMPTY)
}

describe('keccak256', () => {
  it('noble back end before init, wasm after, same digests and mid-state', async () => {
    expect(hashingBackend()).toBe('noble')
    check()
    const nobleDigest = bytesToHex(keccak256(PREFIX))
    await initHashing()
    expect(hashingBackend()).toBe('wasm')
    check()
    expect(bytesToHex(keccak256(PREFIX))).toBe(nobleDigest)
  })

  it('a prefixed hasher keeps its prefix across interleaved keccak256 calls', async () => {
    await initHashing()
    const hashNonce = keccakWithPrefix(PREFIX)
    const first = bytesToHex(hashNonce(new Uint8Array(8)))
    keccak256(utf8ToBytes('something else'))
    expect(bytesToHex(hashNonce(new Uint8Array(8)))).toBe(first)
  })

  it('wasm digests are independent copies, not views of hasher memory', async () => {
    await initHashing()
    const first = keccak256(Uint8Array.of(1))
    const hex = bytesToHex(first)
    keccak256(Uint8Array.of(2))
    keccakWithPrefix(PREFIX)(new Uint8Array(8))
    expect(bytesToHex(first)).toBe(hex)
  })
})
