import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it, vi } from 'vitest'

// The runtime cannot load the WASM module (as with `node --jitless`, where WebAssembly does not exist).
vi.mock('node:module', () => ({
  createRequire: () => () => {
    throw new ReferenceError('WebAssembly is not defined')
  }
}))

const { secp256k1Backend, secp256k1FallbackReason } = await import('./secp256k1-backend')
const primitives = await import('./secp256k1')
const { eciesDecrypt, eciesEncrypt } = await import('./ecies')

const KEY = hexToBytes('7ebbc6a8358bc76dd73ebc557056702c8cfc34e5cfcd90eb83af0347575fd2ad')
const PEER = hexToBytes('6a3d6396903245bba5837752b9e0348874e72db0c4e11e9c485a81b4ea4353b9')

describe('the secp256k1 primitives when the WASM module cannot load', () => {
  it('run on noble and say why', () => {
    expect(secp256k1Backend.name).toBe('noble')
    expect(secp256k1FallbackReason).toMatch(/WebAssembly is not defined/)
  })

  it('still give the reference results', () => {
    const digest = new Uint8Array(32).fill(3)
    const signature = primitives.signDigest(digest, KEY)
    expect(bytesToHex(signature.subarray(0, 64))).toBe(bytesToHex(secp256k1.sign(digest, KEY, { prehash: false })))
    expect(primitives.recoverSigner(digest, signature)).toEqual(secp256k1.getPublicKey(KEY, false))
    expect(bytesToHex(primitives.ecdh(KEY, secp256k1.getPublicKey(PEER, false)))).toBe(
      '167ccc13ac5e8a26b131c3446030c60fbfac6aa8e31149d0869f93626a4cdf62'
    )
    expect(primitives.compressPublicKey(primitives.publicKeyOf(KEY, false))).toEqual(primitives.publicKeyOf(KEY))
    const message = new TextEncoder().encode('still private')
    expect(eciesDecrypt(PEER, eciesEncrypt(primitives.publicKeyOf(PEER), message))).toEqual(message)
  })
})
