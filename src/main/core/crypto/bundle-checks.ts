import { bytesToHex } from '@noble/hashes/utils.js'
import type { Bundle } from './gen/encryption/protocol_message_pb'
import { CryptoError } from '../primitives/crypto-error'
import { keccak256 } from '../primitives/keccak'
import { isValidPublicKey } from '../primitives/secp256k1'
import { bundleSignatureMaterial, verifyBundle } from './bundle'
import { NO_INSTALLATION_ID } from './dh-fallback'

/** Installation ids in status-go are UUIDs; anything far longer is refused rather than stored. */
export const MAX_INSTALLATION_ID_LENGTH = 128
/** A bundle lists one identity's devices; more than this is not a real bundle. */
export const MAX_BUNDLE_INSTALLATIONS = 16
/**
 * status-go attaches exactly one bundle (the sender's own) to a message. Each costs a signature check, so a
 * message stuffed with thousands would keep decrypt busy for a minute: refuse more than a few, unchecked.
 */
export const MAX_BUNDLES_PER_MESSAGE = 4
/** Distinct verified bundles remembered; a peer re-sends the same bundle with every message until it re-signs. */
export const VERIFIED_BUNDLE_CACHE_SIZE = 256

export function assertInstallationId(id: string): void {
  if (id.length === 0 || id.length > MAX_INSTALLATION_ID_LENGTH || id === NO_INSTALLATION_ID) {
    throw new CryptoError('BUNDLE_MALFORMED', `installation id must be 1–${MAX_INSTALLATION_ID_LENGTH} characters and not "${NO_INSTALLATION_ID}"`)
  }
}

/** The shape checks that keep a signed but unusable bundle out of the state. */
export function checkBundleShape(bundle: Bundle): void {
  const entries = Object.entries(bundle.signedPreKeys)
  if (entries.length > MAX_BUNDLE_INSTALLATIONS) {
    throw new CryptoError('BUNDLE_MALFORMED', `bundle lists ${entries.length} installations (at most ${MAX_BUNDLE_INSTALLATIONS})`)
  }
  for (const [id, spk] of entries) {
    assertInstallationId(id)
    if (spk.signedPreKey.length !== 33 || !isValidPublicKey(spk.signedPreKey)) {
      throw new CryptoError('BUNDLE_MALFORMED', `bundle signed prekey of installation ${id} is not a compressed secp256k1 key`)
    }
  }
}

/**
 * Signature and shape checks of bundles, each distinct bundle's signature recovered once. A bundle is the
 * same when its signed material, signature and identity are byte-equal, and then its check has the same
 * outcome: recovery is a function of digest and signature. Only bundles that passed are remembered, so a
 * forged one costs its sender a recovery every time.
 */
export class BundleVerifier {
  private readonly verified = new Map<string, true>()

  constructor(
    private readonly capacity = VERIFIED_BUNDLE_CACHE_SIZE,
    private readonly verify: (bundle: Bundle) => unknown = verifyBundle
  ) {}

  check(bundle: Bundle): void {
    checkBundleShape(bundle)
    const id = bytesToHex(keccak256(bundleSignatureMaterial(bundle))) + bytesToHex(bundle.signature) + bytesToHex(bundle.identity)
    if (this.verified.delete(id)) {
      this.verified.set(id, true)
      return
    }
    this.verify(bundle)
    this.verified.set(id, true)
    if (this.verified.size > this.capacity) this.verified.delete(this.verified.keys().next().value!)
  }
}
