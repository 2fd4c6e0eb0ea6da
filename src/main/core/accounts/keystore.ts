import { ctr } from '@noble/ciphers/aes.js'
import { equalBytes } from '@noble/ciphers/utils.js'
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { keccak256 } from '../primitives/keccak'
import { AccountError } from './account-error'
import { DEFAULT_KDF, DERIVED_KEY_LENGTH, MAX_SCRYPT_MEMORY, scryptDeriveKey, type DeriveKey, type KdfParams } from './key-stretching'
import type { RandomBytes } from './mnemonic'

/** Non-secret facts stored in clear next to the ciphertext so accounts can be listed without a password. */
export interface AccountPublicInfo {
  publicKey: string
  alias: string
  address: string
  /** Milliseconds since the Unix epoch. */
  createdAt: number
  name: string
  /** The person checked their recovery phrase (or restored from it); absent in files written before this was kept. */
  backedUp?: boolean
}

/** How the password key is derived: through the host's KdfQueue in the app; `signal` ends a wait or a derivation. */
export interface KeyOptions {
  derive?: DeriveKey
  signal?: AbortSignal
}

const DKLEN = DERIVED_KEY_LENGTH
const SALT_BYTES = 32
const IV_BYTES = 16
/** A file can name any KDF cost; refuse ones that would exhaust memory or stall the app. */
const MAX_SCRYPT_WORK = 4 * DEFAULT_KDF.n * DEFAULT_KDF.r
const MAX_CIPHERTEXT_HEX = 4096

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`))

const keystoreSchema = z.object({
  version: z.literal(3),
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  crypto: z.object({
    cipher: z.literal('aes-128-ctr'),
    cipherparams: z.object({ iv: hex(IV_BYTES) }),
    ciphertext: z.string().regex(/^(?:[0-9a-f]{2})+$/).max(MAX_CIPHERTEXT_HEX),
    kdf: z.literal('scrypt'),
    kdfparams: z
      .object({
        n: z.number().int().min(2).refine((n) => (n & (n - 1)) === 0, 'n must be a power of two'),
        r: z.number().int().min(1).max(32),
        p: z.number().int().min(1).max(16),
        dklen: z.literal(DKLEN),
        salt: z.string().regex(/^(?:[0-9a-f]{2}){16,64}$/)
      })
      .refine((k) => 128 * k.n * k.r <= MAX_SCRYPT_MEMORY && k.n * k.r * k.p <= MAX_SCRYPT_WORK, 'scrypt cost too high'),
    mac: hex(32)
  }),
  hush: z.object({
    publicKey: z.string().regex(/^0x04[0-9a-f]{128}$/),
    alias: z.string().min(1).max(200),
    address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    createdAt: z.number().int().nonnegative(),
    name: z.string().max(200),
    backedUp: z.boolean().optional()
  })
})

/** Web3 Secret Storage v3 JSON with Hush's public `hush` block; the ciphertext is the UTF-8 mnemonic. */
export type Keystore = z.infer<typeof keystoreSchema>

/** Parses and bounds-checks a keystore file; anything else is CORRUPT_FILE naming `source`. */
export function parseKeystore(text: string, source: string): Keystore {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new AccountError('CORRUPT_FILE', `${source}: not JSON`)
  }
  const parsed = keystoreSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.join('.') || '(root)'
    throw new AccountError('CORRUPT_FILE', `${source}: not a Hush keystore (${where}: ${issue?.message ?? 'invalid'})`)
  }
  return parsed.data
}

export async function encryptKeystore(
  secret: string,
  password: string,
  options: { id: string; info: AccountPublicInfo; kdf?: KdfParams; random?: RandomBytes } & KeyOptions
): Promise<Keystore> {
  const random = options.random ?? randomBytes
  const kdf = options.kdf ?? DEFAULT_KDF
  const salt = random(SALT_BYTES)
  const iv = random(IV_BYTES)
  const dk = await deriveKey(password, salt, kdf, options)
  const ciphertext = ctr(dk.subarray(0, 16), iv).encrypt(utf8ToBytes(secret))
  return {
    version: 3,
    id: options.id,
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: bytesToHex(iv) },
      ciphertext: bytesToHex(ciphertext),
      kdf: 'scrypt',
      kdfparams: { ...kdf, dklen: DKLEN, salt: bytesToHex(salt) },
      mac: bytesToHex(macOf(dk, ciphertext))
    },
    hush: { ...options.info }
  }
}

/** Returns the mnemonic, or throws WRONG_PASSWORD when the MAC does not match. */
export async function decryptKeystore(keystore: Keystore, password: string, options: KeyOptions = {}): Promise<string> {
  const plain = await decryptSecret(keystore.crypto, password, options)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch {
    throw new AccountError('CORRUPT_FILE', `keystore ${keystore.id}: decrypted secret is not text`)
  }
}

/** The generic Web3 v3 decryption (any secret bytes, e.g. a wallet's private key). */
export async function decryptSecret(crypto: Keystore['crypto'], password: string, options: KeyOptions = {}): Promise<Uint8Array> {
  const { kdfparams, cipherparams, ciphertext, mac } = crypto
  const dk = await deriveKey(password, hexToBytes(kdfparams.salt), kdfparams, options)
  const ct = hexToBytes(ciphertext)
  if (!equalBytes(macOf(dk, ct), hexToBytes(mac))) throw new AccountError('WRONG_PASSWORD', 'wrong password')
  return ctr(dk.subarray(0, 16), hexToBytes(cipherparams.iv)).decrypt(ct)
}

/** Random (version 4) UUID from injectable randomness. */
export function uuidV4(random: RandomBytes = randomBytes): string {
  const b = random(16)
  b[6] = ((b[6] as number) & 0x0f) | 0x40
  b[8] = ((b[8] as number) & 0x3f) | 0x80
  const h = bytesToHex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

function deriveKey(password: string, salt: Uint8Array, kdf: KdfParams, { derive = scryptDeriveKey, signal }: KeyOptions): Promise<Uint8Array> {
  // NFKC so the same typed password matches across keyboards and OSes (as ethers does).
  // Only n, r, p: a parsed file's kdfparams also carry dklen and salt.
  return derive(utf8ToBytes(password.normalize('NFKC')), salt, { n: kdf.n, r: kdf.r, p: kdf.p }, signal)
}

function macOf(dk: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return keccak256(concatBytes(dk.subarray(16, 32), ciphertext))
}
