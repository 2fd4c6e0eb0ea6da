import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak, type IHasher } from 'hash-wasm'

/*
 * Two back ends with identical output. hash-wasm's Keccak is 4–8× faster than noble's pure-JS sponge
 * (bench/whisper-crypto.ts), but WebAssembly can only be instantiated asynchronously, while every caller
 * wants a synchronous keccak256. So noble answers until `initHashing()` has resolved; after that the
 * wasm hasher takes over. Call sites stay synchronous and are correct either way; only speed changes.
 *
 * One wasm instance is shared: every use starts with init() or load(), runs to digest() without
 * yielding, so interleaved callers cannot observe each other's state.
 */
let wasm: IHasher | null = null
let initializing: Promise<void> | null = null

/**
 * Switch keccak256 and the mid-state hashers to the WebAssembly implementation.
 * Idempotent; await it once at start-up (node start, benchmarks) before heavy hashing.
 */
export function initHashing(): Promise<void> {
  initializing ??= createKeccak(256).then((hasher) => {
    wasm = hasher
  })
  return initializing
}

/** Which implementation keccak256 currently uses. */
export function hashingBackend(): 'wasm' | 'noble' {
  return wasm ? 'wasm' : 'noble'
}

/** Keccak-256 (the pre-standard SHA-3 used everywhere in Ethereum and Status). */
export function keccak256(data: Uint8Array): Uint8Array {
  if (wasm) {
    wasm.init()
    wasm.update(data)
    return wasm.digest('binary')
  }
  return keccak_256(data)
}

/** Keccak-256 of the concatenation of `parts`, without building it (PoW checks hash three pieces once). */
export function keccak256Parts(parts: readonly Uint8Array[]): Uint8Array {
  if (wasm) {
    wasm.init()
    for (const part of parts) wasm.update(part)
    return wasm.digest('binary')
  }
  const hasher = keccak_256.create()
  for (const part of parts) hasher.update(part)
  return hasher.digest()
}

/**
 * Keccak-256 of `prefix ‖ suffix` for many suffixes with the prefix absorbed only once
 * (PoW mining and checking hash the same shortRlp with different 8-byte nonces).
 */
export type PrefixedKeccak = (suffix: Uint8Array) => Uint8Array

export function keccakWithPrefix(prefix: Uint8Array): PrefixedKeccak {
  const hasher = wasm
  if (hasher) {
    hasher.init()
    hasher.update(prefix)
    const state = hasher.save()
    return (suffix) => {
      hasher.load(state)
      hasher.update(suffix)
      return hasher.digest('binary')
    }
  }
  const base = keccak_256.create().update(prefix)
  return (suffix) => base.clone().update(suffix).digest()
}
