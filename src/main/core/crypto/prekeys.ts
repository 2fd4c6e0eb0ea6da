import { equalBytes } from '@noble/ciphers/utils.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { Bundle, BundleContainer, SignedPreKey } from './gen/encryption/protocol_message_pb'
import type { EncryptedStore } from '../storage/encrypted-store'
import type { RandomBytes } from '../primitives/secp256k1'
import { bundleForSending, createBundleContainer, needsNewSignedPreKey } from './bundle'
import { preKeyWrite } from './protocol-state'

/**
 * How long one signed copy of our bundle is attached to messages before it is signed again with a fresh
 * timestamp. status-go re-signs for every message; reusing a copy for a while lets receivers check its
 * signature once instead of per message. The timestamp only orders a peer's view of our devices (most
 * recently seen first), for which a few minutes of lag do not matter.
 */
export const BUNDLE_RESIGN_INTERVAL_MS = 5 * 60 * 1000

export interface PreKeysOptions {
  identityKey: Uint8Array
  installationId: string
  store: EncryptedStore
  now: () => number
  random: RandomBytes
}

interface SignedCopy {
  bundle: Bundle
  signedMs: number
  /** What was signed: the prekey version and the paired devices' prekeys. */
  contents: string
}

/**
 * Our signed prekeys (status-go BundleContainer): the newest is advertised, every older one is kept for
 * late X3DH messages built on it, and a new one is made once the newest is 24 h old.
 */
export class PreKeys {
  private preKeys = new Map<number, BundleContainer>()
  private rotation: Promise<void> | null = null
  private signed: SignedCopy | null = null

  constructor(private readonly opts: PreKeysOptions) {}

  /** The prekeys as loaded from the store; the map is shared with the caller's state. */
  load(preKeys: Map<number, BundleContainer>): void {
    this.preKeys = preKeys
  }

  active(): { version: number; container: BundleContainer } {
    let best: { version: number; container: BundleContainer } | undefined
    for (const [version, container] of this.preKeys) {
      if (!best || version > best.version) best = { version, container }
    }
    if (!best) throw new Error('no signed prekey: init() did not complete')
    return best
  }

  /** Our current signed prekey (compressed), the one peers open new sessions on. */
  current(): Uint8Array | undefined {
    return this.active().container.bundle?.signedPreKeys[this.opts.installationId]?.signedPreKey
  }

  /** The private key of whichever of our prekeys is `publicKey`, current or older. */
  privateKeyOf(publicKey: Uint8Array): Uint8Array | undefined {
    for (const container of this.preKeys.values()) {
      const spk = container.bundle?.signedPreKeys[this.opts.installationId]?.signedPreKey
      if (spk && equalBytes(spk, publicKey)) return container.privateSignedPreKey
    }
    return undefined
  }

  /** Our bundle to attach or advertise, with our other devices' prekeys; re-signed when it changed or aged. */
  bundle(paired: Readonly<Record<string, SignedPreKey>>): Bundle {
    this.startRotationIfDue()
    const { version, container } = this.active()
    const now = this.opts.now()
    const contents = `${version}|${Object.entries(paired)
      .map(([id, spk]) => `${id}:${bytesToHex(spk.signedPreKey)}:${spk.version}:${spk.protocolVersion}`)
      .join('|')}`
    const copy = this.signed
    if (copy && copy.contents === contents && now >= copy.signedMs && now - copy.signedMs < BUNDLE_RESIGN_INTERVAL_MS) return copy.bundle
    const bundle = bundleForSending(container, this.opts.identityKey, now, paired)
    this.signed = { bundle, signedMs: now, contents }
    return bundle
  }

  /** Runs the 24 h prekey refresh now if it is due. */
  rotateIfDue(): Promise<void> {
    this.rotation ??= this.rotate().finally(() => {
      this.rotation = null
    })
    return this.rotation
  }

  private startRotationIfDue(): void {
    if (this.rotation || !needsNewSignedPreKey(this.active().container, this.opts.now())) return
    // A failed rotation is retried by the next call; until then the current prekey stays valid.
    this.rotateIfDue().catch(() => {})
  }

  private async rotate(): Promise<void> {
    const current = this.preKeys.size > 0 ? this.active() : undefined
    if (current && !needsNewSignedPreKey(current.container, this.opts.now())) return
    const version = (current?.version ?? 0) + 1
    const container = createBundleContainer(this.opts.identityKey, this.opts.installationId, this.opts.now(), this.opts.random, version - 1)
    // Written before use: a prekey we advertise must survive a crash, or X3DH messages built on it are lost.
    await this.opts.store.batch([preKeyWrite(version, container)], { sync: true })
    this.preKeys.set(version, container)
  }
}
