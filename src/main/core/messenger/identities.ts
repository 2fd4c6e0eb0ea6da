import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { type Author, PUBLIC_KEY_PATTERN, type PublicIdentity, refusal } from '../../../shared/api'
import { aliasFromPublicKey } from '../accounts/alias'
import { addressOf } from '../accounts/derivation'
import { identicon } from '../accounts/identicon'
import { compressPublicKey, isValidPublicKey } from '../primitives/secp256k1'

/**
 * A pasted chat key as the 65-byte point it names. Accepts surrounding spaces and upper-case hex (people
 * copy keys from anywhere); anything else is a BAD_REQUEST that says what a chat key looks like.
 */
export function parseChatKey(text: string): Uint8Array {
  const normalized = text.trim().toLowerCase()
  if (!PUBLIC_KEY_PATTERN.test(normalized)) {
    throw refusal('BAD_REQUEST', { reason: 'CHAT_KEY_FORMAT' }, 'A chat key is 0x04 followed by 128 hexadecimal digits (132 characters).')
  }
  const key = hexToBytes(normalized.slice(2))
  if (!isValidPublicKey(key)) throw refusal('BAD_REQUEST', { reason: 'CHAT_KEY_OFF_CURVE' }, 'That chat key is not a point on the secp256k1 curve.')
  return key
}

/** Everything shown about someone before a chat with them starts, all derived from the key. */
export function publicIdentityOfKey(key: Uint8Array): PublicIdentity {
  const publicKey = '0x' + bytesToHex(key)
  return {
    publicKey,
    compressedKey: '0x' + bytesToHex(compressPublicKey(key)),
    alias: aliasFromPublicKey(key),
    address: addressOf(key),
    identicon: identicon(publicKey)
  }
}

/** Authors repeat on every message; their alias and identicon are derived once per key. */
export class AuthorCache {
  private readonly authors = new Map<string, Author>()

  of(publicKey: string): Author {
    let author = this.authors.get(publicKey)
    if (!author) {
      author = { publicKey, alias: aliasFromPublicKey(publicKey), identicon: identicon(publicKey) }
      this.authors.set(publicKey, author)
    }
    return author
  }
}
