import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { WhisperError } from './errors'
import { decryptPayload, encryptPayload } from './message'
import { symKeyFromPassword } from './password'
import { assertSymKey } from './symmetric'

describe('symmetric keys', () => {
  it('refuses all-zero and wrong-size keys, as geth does', () => {
    expect(() => assertSymKey(new Uint8Array(32))).toThrow(WhisperError)
    expect(() => assertSymKey(new Uint8Array(16).fill(1))).toThrow(/32 bytes/)
    expect(() => assertSymKey(new Uint8Array(32).fill(1))).not.toThrow()
  })

  it('payload sealing and opening apply the check', () => {
    const zero = { symKey: new Uint8Array(32) }
    expect(() => encryptPayload(Uint8Array.of(1), zero)).toThrow(WhisperError)
    expect(() => decryptPayload(new Uint8Array(40), zero)).toThrow(WhisperError)
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
