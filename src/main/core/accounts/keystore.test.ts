import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { AccountError } from './account-error'
import { DEFAULT_KDF } from './key-stretching'
import { decryptKeystore, decryptSecret, encryptKeystore, parseKeystore, uuidV4, type Keystore } from './keystore'

const FAST_KDF = { n: 1024, r: 8, p: 1 }
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const INFO = {
  publicKey: '0x04' + 'ab'.repeat(64),
  alias: 'Hard Tame Brownbutterfly',
  address: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94',
  createdAt: 1_600_000_000_000,
  name: 'Me'
}
const ID = '11111111-2222-4333-8444-555555555555'

function counterRandom(): (n: number) => Uint8Array {
  let next = 0
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff)
}

async function sample(password = 'correct horse'): Promise<Keystore> {
  return encryptKeystore(MNEMONIC, password, { id: ID, info: INFO, kdf: FAST_KDF, random: counterRandom() })
}

describe('Web3 v3 keystore', () => {
  it('has the v3 shape with the public hush block and no plain secret', async () => {
    const keystore = await sample()
    expect(keystore).toMatchObject({
      version: 3,
      id: ID,
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: bytesToHex(Uint8Array.from({ length: 16 }, (_, i) => 32 + i)) },
        kdf: 'scrypt',
        kdfparams: { n: 1024, r: 8, p: 1, dklen: 32, salt: bytesToHex(Uint8Array.from({ length: 32 }, (_, i) => i)) }
      },
      hush: INFO
    })
    const text = JSON.stringify(keystore)
    expect(text).not.toContain('abandon')
    expect(text).not.toContain('correct horse')
    expect(parseKeystore(text, 'x.json')).toEqual(keystore)
  })

  it('round-trips and rejects a wrong password with WRONG_PASSWORD', async () => {
    const keystore = await sample()
    expect(await decryptKeystore(keystore, 'correct horse')).toBe(MNEMONIC)
    await expect(decryptKeystore(keystore, 'wrong')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
  })

  it('normalises the password to NFKC', async () => {
    const keystore = await sample('caf\u00e9')
    expect(await decryptKeystore(keystore, 'cafe\u0301')).toBe(MNEMONIC)
  })

  it('detects a tampered ciphertext through the MAC', async () => {
    const keystore = await sample()
    const flipped = (keystore.crypto.ciphertext[0] === '0' ? '1' : '0') + keystore.crypto.ciphertext.slice(1)
    const tampered = { ...keystore, crypto: { ...keystore.crypto, ciphertext: flipped } }
    await expect(decryptKeystore(tampered, 'correct horse')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
  })

  it('decrypts the Web3 Secret Storage scrypt test vector', async () => {
    const crypto = {
      cipher: 'aes-128-ctr' as const,
      cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
      ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
      kdf: 'scrypt' as const,
      kdfparams: { dklen: 32 as const, n: 262144, r: 1, p: 8, salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19' },
      mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097'
    }
    expect(bytesToHex(await decryptSecret(crypto, 'testpassword'))).toBe(
      '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d'
    )
  })

  it('uses the full scrypt cost by default', () => {
    expect(DEFAULT_KDF).toEqual({ n: 262144, r: 8, p: 1 })
  })
})

describe('parseKeystore', () => {
  it('reports non-JSON and foreign JSON as CORRUPT_FILE naming the source', async () => {
    for (const text of ['{', '[]', '{"version":3}', JSON.stringify({ ...(await sample()), version: 4 })]) {
      const error = (() => {
        try {
          parseKeystore(text, '/p/accounts/a.json')
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(AccountError)
      expect(error).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining('/p/accounts/a.json') })
    }
  })

  it('refuses KDF costs that would exhaust memory or time', async () => {
    const keystore = await sample()
    for (const kdfparams of [
      { ...keystore.crypto.kdfparams, n: 2 ** 30 },
      { ...keystore.crypto.kdfparams, n: 1000 },
      { ...keystore.crypto.kdfparams, n: 262144, p: 16 }
    ]) {
      const text = JSON.stringify({ ...keystore, crypto: { ...keystore.crypto, kdfparams } })
      expect(() => parseKeystore(text, 'a.json')).toThrow(/kdfparams/)
    }
  })
})

describe('uuidV4', () => {
  it('sets version and variant bits', () => {
    expect(uuidV4(() => new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    expect(uuidV4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
