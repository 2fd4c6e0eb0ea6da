import { hexToBytes } from '@noble/hashes/utils.js'
import { ADJECTIVES, ANIMALS } from './alias-words'

const MASK_64 = (1n << 64n) - 1n
/** Feedback taps of status-go's 64-bit Fibonacci LFSR (protocol/identity/alias/flfsr.go). */
const POLY = 0xb8n

/** Three-word name ("Adjective Adjective Animal") status-go derives from a chat public key. */
export function aliasFromPublicKey(publicKey: string | Uint8Array): string {
  const bytes = typeof publicKey === 'string' ? hexToBytes(publicKey.replace(/^0x/i, '')) : publicKey
  if (bytes.length !== 65 || bytes[0] !== 0x04) throw new TypeError('alias needs an uncompressed 0x04 public key')
  let seed = 0n
  // Low 64 bits of X are bytes 25..32 (big-endian) of the 0x04‖X‖Y encoding.
  for (let i = 25; i < 33; i++) seed = (seed << 8n) | BigInt(bytes[i] as number)
  return aliasFromSeed(seed)
}

export function aliasFromSeed(seed: bigint): string {
  const next = lfsr(seed & MASK_64)
  const first = pick(ADJECTIVES, next())
  const second = pick(ADJECTIVES, next())
  const animal = pick(ANIMALS, next())
  return `${first} ${second} ${animal}`
}

function lfsr(seed: bigint): () => bigint {
  let data = seed
  return () => {
    let bit = 0n
    for (let i = 0n; i < 64n; i++) {
      if ((POLY >> i) & 1n) bit ^= data >> i
    }
    data = ((data << 1n) | (bit & 1n)) & MASK_64
    return data
  }
}

function pick(words: readonly string[], value: bigint): string {
  return words[Number(value % BigInt(words.length))] as string
}
