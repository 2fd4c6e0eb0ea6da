import { createRequire } from 'node:module'
import { secp256k1 } from '@noble/curves/secp256k1.js'

/**
 * The curve arithmetic behind the secp256k1 primitives. Callers (secp256k1.ts, ecies.ts) check lengths and
 * private-key range first; a backend throws on anything it cannot compute (a point off the curve, a signature
 * that recovers nothing), and every backend accepts and rejects exactly the same inputs with the same bytes out.
 */
export interface Secp256k1Backend {
  readonly name: 'wasm' | 'noble'
  publicKey(privateKey: Uint8Array, compressed: boolean): Uint8Array
  /** The point in the other encoding (or the same); throws when it is not on the curve. */
  convertPoint(publicKey: Uint8Array, compressed: boolean): Uint8Array
  /** 32-byte big-endian X coordinate of privateKey·publicKey. */
  ecdhX(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array
  /** RFC 6979 deterministic, low-S: R ‖ S ‖ V with V ∈ {0, 1}. */
  sign(digest: Uint8Array, privateKey: Uint8Array): Uint8Array
  /** Uncompressed 65-byte key that signed `digest` with R ‖ S (64 bytes) and recovery id `v` ∈ {0, 1}. */
  recover(digest: Uint8Array, rs: Uint8Array, v: 0 | 1): Uint8Array
}

/** The pure-JS reference: slow (no WebAssembly, no native code) but available in every runtime. */
export const nobleBackend: Secp256k1Backend = {
  name: 'noble',
  publicKey: (privateKey, compressed) => secp256k1.getPublicKey(privateKey, compressed),
  convertPoint: (publicKey, compressed) => secp256k1.Point.fromBytes(publicKey).toBytes(compressed),
  ecdhX: (privateKey, publicKey) => secp256k1.getSharedSecret(privateKey, publicKey, true).slice(1),
  sign(digest, privateKey) {
    const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered' })
    const out = new Uint8Array(65)
    out.set(recovered.subarray(1), 0)
    out[64] = recovered[0]!
    return out
  },
  recover(digest, rs, v) {
    const recovered = new Uint8Array(65)
    recovered[0] = v
    recovered.set(rs, 1)
    return secp256k1.Signature.fromBytes(recovered, 'recovered').recoverPublicKey(digest).toBytes(false)
  }
}

/** The part of tiny-secp256k1's API that the WASM backend uses. */
export interface TinySecp256k1 {
  pointFromScalar(d: Uint8Array, compressed?: boolean): Uint8Array | null
  pointCompress(p: Uint8Array, compressed?: boolean): Uint8Array
  pointMultiply(p: Uint8Array, tweak: Uint8Array, compressed?: boolean): Uint8Array | null
  signRecoverable(h: Uint8Array, d: Uint8Array): { signature: Uint8Array; recoveryId: number }
  recover(h: Uint8Array, signature: Uint8Array, recoveryId: 0 | 1 | 2 | 3, compressed?: boolean): Uint8Array | null
}

/**
 * tiny-secp256k1's CommonJS entry, which reads its .wasm beside itself with fs and compiles it synchronously
 * (about 50 ms, once). Loaded through require so a failure (no WebAssembly, file missing) is an exception here,
 * not a module that fails to link. The package stays external to the bundle, so the .wasm is found in
 * node_modules (inside app.asar in a package, which Electron's fs reads).
 */
export function requireTinySecp256k1(): TinySecp256k1 {
  return createRequire(import.meta.url)('tiny-secp256k1') as TinySecp256k1
}

/*
 * libsecp256k1 also parses 32-byte x-only keys and the "hybrid" 0x06/0x07 encoding; noble, geth's Whisper
 * (which marshals 0x04 only) and this protocol do not, so the WASM backend refuses them before parsing.
 */
function assertSec1(publicKey: Uint8Array): void {
  const head = publicKey[0]
  const ok = publicKey.length === 65 ? head === 0x04 : publicKey.length === 33 && (head === 0x02 || head === 0x03)
  if (!ok) throw new Error('not a SEC1 encoded secp256k1 point')
}

function nonNull<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(what)
  return value
}

/** libsecp256k1 (bitcoin-core) compiled to WebAssembly, as packaged by tiny-secp256k1. Throws when it cannot load. */
export function wasmBackend(load: () => TinySecp256k1 = requireTinySecp256k1): Secp256k1Backend {
  const tiny = load()
  return {
    name: 'wasm',
    publicKey: (privateKey, compressed) => nonNull(tiny.pointFromScalar(privateKey, compressed), 'invalid private key'),
    convertPoint(publicKey, compressed) {
      assertSec1(publicKey)
      return tiny.pointCompress(publicKey, compressed)
    },
    ecdhX(privateKey, publicKey) {
      assertSec1(publicKey)
      return nonNull(tiny.pointMultiply(publicKey, privateKey, true), 'point at infinity').slice(1)
    },
    sign(digest, privateKey) {
      const { signature, recoveryId } = tiny.signRecoverable(digest, privateKey)
      const out = new Uint8Array(65)
      out.set(signature, 0)
      out[64] = recoveryId
      return out
    },
    recover: (digest, rs, v) => nonNull(tiny.recover(digest, rs, v, false), 'signature recovers no key')
  }
}

export interface ChosenBackend {
  backend: Secp256k1Backend
  /** Why the WASM backend is not in use, when it is not. */
  fallbackReason?: string
}

/** The WASM backend when it loads and computes a known answer, else noble. */
export function chooseBackend(load: () => TinySecp256k1 = requireTinySecp256k1): ChosenBackend {
  try {
    const wasm = wasmBackend(load)
    // A module that loads but computes garbage (a broken build) must not be trusted with keys.
    const probe = Uint8Array.of(...new Uint8Array(31), 3)
    const expected = nobleBackend.publicKey(probe, true)
    const actual = wasm.publicKey(probe, true)
    if (actual.length !== expected.length || actual.some((byte, i) => byte !== expected[i])) {
      return { backend: nobleBackend, fallbackReason: 'the WASM module computed a wrong public key' }
    }
    return { backend: wasm }
  } catch (cause) {
    return { backend: nobleBackend, fallbackReason: `the WASM module did not load: ${(cause as Error).message}` }
  }
}

const chosen = chooseBackend()

/** The backend every secp256k1 primitive runs on in this process. */
export const secp256k1Backend: Secp256k1Backend = chosen.backend

export const secp256k1FallbackReason: string | undefined = chosen.fallbackReason
