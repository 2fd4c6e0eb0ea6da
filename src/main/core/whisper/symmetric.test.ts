import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { WhisperError } from './errors'
import { symKeyFromPassword } from './password'
import { decryptSymmetric, encryptSymmetric } from './symmetric'

const KEY = hexToBytes('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')
const NONCE = hexToBytes('0102030405060708090a0b0c')

describe('AES-256-GCM (spec §3.3, §5.5)', () => {
  it('reproduces the vector: ct ‖ tag ‖ nonce', () => {
    const data = encryptSymmetric(KEY, hexToBytes('0102abcd'), NONCE)
    expect(bytesToHex(data)).toBe('b602cd5fac97e82d772ee1cb92dbe12ec203d3d90102030405060708090a0b0c')
    expect(bytesToHex(decryptSymmetric(KEY, data) ?? new Uint8Array(0))).toBe('0102abcd')
  })

  it('returns null for another key, tampering or short input', () => {
    const data = encryptSymmetric(KEY, hexToBytes('0102abcd'), NONCE)
    const other = KEY.slice()
    other[0] = 1
    expect(decryptSymmetric(other, data)).toBeNull()
    const tampered = data.slice()
    tampered[5] = (tampered[5] as number) ^ 1
    expect(decryptSymmetric(KEY, tampered)).toBeNull()
    expect(decryptSymmetric(KEY, data.subarray(0, 27))).toBeNull()
  })

  it('rejects all-zero and wrong-size keys and bad nonces', () => {
    expect(() => encryptSymmetric(new Uint8Array(32), Uint8Array.of(1), NONCE)).toThrow(WhisperError)
    expect(() => decryptSymmetric(new Uint8Array(16).fill(1), Uint8Array.of(1))).toThrow(/32 bytes/)
    expect(() => encryptSymmetric(KEY, Uint8Array.of(1), new Uint8Array(16))).toThrow(/12 bytes/)
  })
})

describe('password keys (spec §3.4, §5.5; status §2.4)', () => {
  it.each([
    ['arbitrary data here', 'c49ad65ebf2a7b7253bf400e3d27719362a91b2c9b9f54d50a69117021666c33'],
    ['test', 'a82a520aff70f7a989098376e48ec128f25f767085e84d7fb995a9815eebff0a'],
    ['status-offline-inbox', '765df27c0765526f920ba742ff4b9452bb0064e016435ffccd81186aa6feaae8']
  ])('PBKDF2(%s)', async (password, expected) => {
    expect(bytesToHex(await symKeyFromPassword(password))).toBe(expected)
  })
})
