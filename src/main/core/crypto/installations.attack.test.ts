import { create } from '@bufbuild/protobuf'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BundleSchema, SignedPreKeySchema, type Bundle } from './gen/encryption/protocol_message_pb'
import { MAX_BUNDLE_INSTALLATIONS } from './bundle-checks'
import { activeInstallations, identityKeyHex, MAX_KNOWN_INSTALLATIONS, recordBundle, type InstallationBook } from './installations'
import { compressPublicKey, publicKeyOf } from '../primitives/secp256k1'

/*
 * A peer's bundles are signed by the peer, so whatever installation ids it lists are "verified": a
 * stranger can name new devices in every message it sends (up to MAX_BUNDLE_INSTALLATIONS per bundle).
 */

const me = publicKeyOf(utf8ToBytes('0'.repeat(32)), false)
const peer = publicKeyOf(utf8ToBytes('2'.repeat(32)), false)
const prekey = publicKeyOf(utf8ToBytes('3'.repeat(32)))

function bundleOf(timestampMs: number, ids: string[]): Bundle {
  return create(BundleSchema, {
    identity: compressPublicKey(peer),
    timestamp: BigInt(timestampMs) * 1_000_000n,
    signedPreKeys: Object.fromEntries(ids.map((id) => [id, create(SignedPreKeySchema, { signedPreKey: prekey, version: 1, protocolVersion: 1 })]))
  })
}

describe('installations under attack', () => {
  it('a peer naming new devices in every bundle keeps a bounded list, its newest devices active', () => {
    let book: InstallationBook = {}
    let last: string[] = []
    for (let n = 0; n < 50; n++) {
      last = Array.from({ length: MAX_BUNDLE_INSTALLATIONS }, (_, i) => `device-${n}-${i}`)
      book = recordBundle(book, bundleOf(1_000 + n, last), { myPublicKey: me, myInstallationId: 'mine', nowMs: 5_000 + n }).book
    }
    expect(book[identityKeyHex(peer)]!.length).toBeLessThanOrEqual(MAX_KNOWN_INSTALLATIONS)
    for (const active of activeInstallations(book, peer)) expect(last).toContain(active.id)
  })
})
