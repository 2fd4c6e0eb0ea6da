import { HDKey } from '@scure/bip32'
import { mnemonicToSeed } from '@scure/bip39'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'

/** EIP-1581 chat ("whisper") identity key. */
export const CHAT_KEY_PATH = "m/43'/60'/1581'/0'/0"
/** BIP44 Ethereum wallet keys; the last component is the account index. */
export const WALLET_ROOT_PATH = "m/44'/60'/0'/0"

export interface WalletKey {
  privateKey: Uint8Array
  /** EIP-55 checksummed. */
  address: string
}

export interface DerivedKeys {
  chatPrivateKey: Uint8Array
  /** 65-byte uncompressed chat public key. */
  chatPublicKey: Uint8Array
  /** "0x04…", 132 characters: the form used in the UI, chat IDs and contact IDs. */
  publicKey: string
  /** "0x02…"/"0x03…", 68 characters: the form used inside the encryption layer. */
  compressedKey: string
  wallet: WalletKey
}

/** Status derives with an empty BIP39 passphrase; the mnemonic must already be validated. */
export async function deriveKeys(mnemonic: string): Promise<DerivedKeys> {
  return deriveKeysFromSeed(await mnemonicToSeed(mnemonic))
}

export function deriveKeysFromSeed(seed: Uint8Array): DerivedKeys {
  const root = HDKey.fromMasterSeed(seed)
  const chatPrivateKey = privateKeyAt(root, CHAT_KEY_PATH)
  const chatPublicKey = secp256k1.getPublicKey(chatPrivateKey, false)
  return {
    chatPrivateKey,
    chatPublicKey,
    publicKey: '0x' + bytesToHex(chatPublicKey),
    compressedKey: '0x' + bytesToHex(secp256k1.getPublicKey(chatPrivateKey, true)),
    wallet: deriveWalletKey(root, 0)
  }
}

export function deriveWalletKey(root: HDKey, index: number): WalletKey {
  const privateKey = privateKeyAt(root, `${WALLET_ROOT_PATH}/${index}`)
  return { privateKey, address: addressOf(secp256k1.getPublicKey(privateKey, false)) }
}

/** Ethereum address (EIP-55 checksummed) of a public key in any secp256k1 encoding. */
export function addressOf(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false)
  return toChecksumAddress(bytesToHex(keccak256(uncompressed.subarray(1)).subarray(12)))
}

/** EIP-55: upper-case each hex letter whose nibble in keccak256(lower-case hex) is ≥ 8. */
export function toChecksumAddress(address: string): string {
  const hex = address.toLowerCase().replace(/^0x/, '')
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new TypeError('an address is 20 bytes of hex')
  const hash = bytesToHex(keccak256(utf8ToBytes(hex)))
  let out = '0x'
  for (let i = 0; i < hex.length; i++) {
    out += parseInt(hash[i] as string, 16) >= 8 ? (hex[i] as string).toUpperCase() : hex[i]
  }
  return out
}

function privateKeyAt(root: HDKey, path: string): Uint8Array {
  const key = root.derive(path).privateKey
  // Unreachable for a master key built from a seed; guards the nullable type only.
  if (!key) throw new Error(`no private key at ${path}`)
  return key
}
