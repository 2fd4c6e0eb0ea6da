import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { aesGcmOpen, aesGcmSeal } from './aes-gcm'
import { CryptoError } from './crypto-error'

const KEY = hexToBytes('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')
const NONCE = hexToBytes('0102030405060708090a0b0c')

describe('AES-256-GCM (whisper spec §3.3, §5.5)', () => {
  it('reproduces the vector: ct ‖ tag ‖ nonce', () => {
    const data = aesGcmSeal(KEY, hexToBytes('0102abcd'), NONCE)
    expect(bytesToHex(data)).toBe('b602cd5fac97e82d772ee1cb92dbe12ec203d3d90102030405060708090a0b0c')
    expect(bytesToHex(aesGcmOpen(KEY, data) ?? new Uint8Array(0))).toBe('0102abcd')
  })

  it('returns null for another key, tampering or short input', () => {
    const data = aesGcmSeal(KEY, hexToBytes('0102abcd'), NONCE)
    const other = KEY.slice()
    other[0] = 1
    expect(aesGcmOpen(other, data)).toBeNull()
    const tampered = data.slice()
    tampered[5] = (tampered[5] as number) ^ 1
    expect(aesGcmOpen(KEY, tampered)).toBeNull()
    expect(aesGcmOpen(KEY, data.subarray(0, 27))).toBeNull()
  })

  it('rejects wrong-size keys and nonces', () => {
    expect(() => aesGcmOpen(new Uint8Array(16).fill(1), Uint8Array.of(1))).toThrow(CryptoError)
    expect(() => aesGcmSeal(new Uint8Array(31), Uint8Array.of(1), NONCE)).toThrow(/32 bytes/)
    expect(() => aesGcmSeal(KEY, Uint8Array.of(1), new Uint8Array(16))).toThrow(/12 bytes/)
  })
})
