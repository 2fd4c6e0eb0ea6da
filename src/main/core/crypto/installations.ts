import { create } from '@bufbuild/protobuf'
import { bytesToHex } from '@noble/hashes/utils.js'
import { SignedPreKeySchema, type Bundle, type SignedPreKey } from './gen/encryption/protocol_message_pb'
import { compressPublicKey } from '../primitives/secp256k1'

/**
 * Installations (devices) per identity as status-go's multidevice package tracks them (§4.7): learned
 * only from verified bundles, at most MAX_INSTALLATIONS active per identity, most recently seen
 * first. Other people's devices are enabled on sight; our own new devices wait for the user.
 * The book is plain immutable data so it can be persisted as is.
 */

export const MAX_INSTALLATIONS = 3
/**
 * Most installations remembered per identity: a peer signs its own bundles, so it can name new devices
 * in every message; beyond this the least recently seen are forgotten (they would never be active).
 */
export const MAX_KNOWN_INSTALLATIONS = 32

export interface Installation {
  id: string
  /** Bundle protocol_version; never lowered once seen. */
  protocolVersion: number
  enabled: boolean
  /** Local clock (ms) when a bundle first listed this installation. */
  firstSeenMs: number
  /** Timestamp (ms) of the newest bundle that listed it; orders the active set. */
  lastSeenMs: number
  /** Newest signed prekey (compressed) and its version. */
  signedPreKey: Uint8Array
  signedPreKeyVersion: number
}

/** Keyed by the identity's compressed public key in lowercase hex. */
export type InstallationBook = Readonly<Record<string, readonly Installation[]>>

export interface BundleContext {
  myPublicKey: Uint8Array
  myInstallationId: string
  nowMs: number
}

/** Keys seen recently, by their bytes in hex: every message names its sender's key several times. */
const KEY_HEX_CACHE_SIZE = 1024
const keyHexCache = new Map<string, string>()

/** The compressed key in lowercase hex; throws for bytes that are not a secp256k1 public key. */
export function identityKeyHex(publicKey: Uint8Array): string {
  const input = bytesToHex(publicKey)
  const known = keyHexCache.get(input)
  if (known !== undefined) return known
  // Decompressing or compressing checks the point: a square root per call, worth remembering.
  const compressed = bytesToHex(compressPublicKey(publicKey))
  keyHexCache.set(input, compressed)
  if (keyHexCache.size > KEY_HEX_CACHE_SIZE) keyHexCache.delete(keyHexCache.keys().next().value!)
  return compressed
}

/**
 * Applies a bundle that already passed `verifyBundle`. Returns the installations seen for the first
 * time. An older bundle does not move `lastSeenMs` back, and an older prekey version never replaces
 * a newer one (a higher version expires the older prekeys of that installation).
 */
export function recordBundle(
  book: InstallationBook,
  bundle: Bundle,
  context: BundleContext
): { book: InstallationBook; added: Installation[] } {
  const identity = identityKeyHex(bundle.identity)
  const ours = identity === identityKeyHex(context.myPublicKey)
  const bundleMs = Number(bundle.timestamp / 1_000_000n)
  const installations = [...(book[identity] ?? [])]
  const added: Installation[] = []

  for (const [id, spk] of Object.entries(bundle.signedPreKeys)) {
    if (id === context.myInstallationId) continue
    const index = installations.findIndex((i) => i.id === id)
    const existing = installations[index]
    if (!existing) {
      const fresh: Installation = {
        id,
        protocolVersion: spk.protocolVersion,
        enabled: !ours,
        firstSeenMs: context.nowMs,
        lastSeenMs: bundleMs,
        signedPreKey: spk.signedPreKey,
        signedPreKeyVersion: spk.version
      }
      installations.push(fresh)
      added.push(fresh)
      continue
    }
    const newer = bundleMs > existing.lastSeenMs
    const newerPreKey = spk.version >= existing.signedPreKeyVersion
    installations[index] = {
      ...existing,
      lastSeenMs: newer ? bundleMs : existing.lastSeenMs,
      protocolVersion: newer ? Math.max(existing.protocolVersion, spk.protocolVersion) : existing.protocolVersion,
      signedPreKey: newerPreKey ? spk.signedPreKey : existing.signedPreKey,
      signedPreKeyVersion: newerPreKey ? spk.version : existing.signedPreKeyVersion
    }
  }
  if (installations.length <= MAX_KNOWN_INSTALLATIONS) return { book: { ...book, [identity]: installations }, added }
  // Most recently seen first; among equals the one listed last (the newest) first.
  const order = installations.map((installation, index) => ({ installation, index }))
  order.sort((a, b) => b.installation.lastSeenMs - a.installation.lastSeenMs || b.installation.firstSeenMs - a.installation.firstSeenMs || b.index - a.index)
  const kept = new Set(order.slice(0, MAX_KNOWN_INSTALLATIONS).map((entry) => entry.installation))
  return { book: { ...book, [identity]: installations.filter((i) => kept.has(i)) }, added: added.filter((i) => kept.has(i)) }
}

/** Enabled installations of `identity`, most recently seen first, at most `max` (ties keep insertion order). */
export function activeInstallations(book: InstallationBook, identity: Uint8Array, max = MAX_INSTALLATIONS): Installation[] {
  return (book[identityKeyHex(identity)] ?? [])
    .filter((i) => i.enabled)
    .sort((a, b) => b.lastSeenMs - a.lastSeenMs)
    .slice(0, Math.max(0, max))
}

/**
 * Prekeys of our own other enabled devices to put in our bundle next to this installation's
 * (status-go GetOurActiveInstallations: MAX_INSTALLATIONS − 1 others plus ourselves).
 */
export function pairedSignedPreKeys(book: InstallationBook, myPublicKey: Uint8Array): Record<string, SignedPreKey> {
  return Object.fromEntries(
    activeInstallations(book, myPublicKey, MAX_INSTALLATIONS - 1).map((i) => [
      i.id,
      create(SignedPreKeySchema, { signedPreKey: i.signedPreKey, version: i.signedPreKeyVersion, protocolVersion: i.protocolVersion })
    ])
  )
}

/** Enables or disables one installation (how the user approves or drops an own paired device). */
export function setInstallationEnabled(
  book: InstallationBook,
  identity: Uint8Array,
  installationId: string,
  enabled: boolean
): InstallationBook {
  const key = identityKeyHex(identity)
  const installations = book[key]
  if (!installations?.some((i) => i.id === installationId)) return book
  return { ...book, [key]: installations.map((i) => (i.id === installationId ? { ...i, enabled } : i)) }
}
