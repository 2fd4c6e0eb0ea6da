import { HDKey } from '@scure/bip32'
import { mnemonicToSeed } from '@scure/bip39'
import { bytesToHex } from '@noble/hashes/utils.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { addressOf, deriveKeys, deriveKeysFromSeed, deriveWalletKey, toChecksumAddress } from './derivation'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

describe('deriveKeys', () => {
  it('"abandon … about": wallet m/44\'/60\'/0\'/0/0 is 0x9858effd…eda94', async () => {
    const keys = await deriveKeys(ABANDON)
    expect(keys.wallet.address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
  })

  it('gives the chat key in both encodings, distinct from the wallet key', async () => {
    const keys = await deriveKeys(ABANDON)
    expect(keys.publicKey).toMatch(/^0x04[0-9a-f]{128}$/)
    expect(keys.compressedKey).toMatch(/^0x0[23][0-9a-f]{64}$/)
    expect(keys.publicKey.slice(4, 68)).toBe(keys.compressedKey.slice(4))
    expect(keys.publicKey).toBe('0x' + bytesToHex(secp256k1.getPublicKey(keys.chatPrivateKey, false)))
    expect(bytesToHex(keys.chatPrivateKey)).not.toBe(bytesToHex(keys.wallet.privateKey))
    const root = HDKey.fromMasterSeed(await mnemonicToSeed(ABANDON))
    expect(keys.chatPrivateKey).toEqual(root.derive("m/43'/60'/1581'/0'/0").privateKey)
  })

  it('matches the status-go generator test (passphrase "TREZOR")', async () => {
    const seed = await mnemonicToSeed(ABANDON, 'TREZOR')
    const root = HDKey.fromMasterSeed(seed)
    expect(root.privateExtendedKey).toBe(
      'xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF'
    )
    const wallet0 = deriveKeysFromSeed(seed).wallet
    const hex = bytesToHex(wallet0.privateKey)
    expect(hex.startsWith('62f1d86b') && hex.endsWith('8224')).toBe(true)
    const pub = bytesToHex(secp256k1.getPublicKey(wallet0.privateKey, false))
    expect(pub.startsWith('04986dee') && pub.endsWith('ed05')).toBe(true)
    expect(wallet0.address).toBe('0x9c32F71D4DB8Fb9e1A58B0a80dF79935e7256FA6')
    expect(deriveWalletKey(root, 1).address).toBe('0x7AF7283bd1462C3b957e8FAc28Dc19cBbF2FAdfe')
  })
})

describe('addresses', () => {
  it('EIP-55 examples', () => {
    for (const address of [
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
      '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
      '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb'
    ]) {
      expect(toChecksumAddress(address.toLowerCase())).toBe(address)
    }
    expect(() => toChecksumAddress('0x1234')).toThrow(TypeError)
  })

  it('accepts compressed and uncompressed keys alike', () => {
    const sk = new Uint8Array(32).fill(7)
    expect(addressOf(secp256k1.getPublicKey(sk, true))).toBe(addressOf(secp256k1.getPublicKey(sk, false)))
  })
})
