import { RLP } from '@ethereumjs/rlp'
import type { RlpSpan } from '../p2p/rlp-view'
import { bloomMatches } from './bloom'
import { describeDirect } from './inbound-envelopes'
import type { WhisperPeer } from './peer'
import type { PooledEnvelope } from './pool'
import { ShhProtocolError, type ShhHandler } from './shh-protocol'

/** What the node does with what one peer sends, once the per-code rules below let it through. */
export interface PeerProtocolHost {
  now(): number
  /** The peer's Status was accepted. */
  peerReady(peer: WhisperPeer): void
  /** A code-1 packet within the peer's budget; a returned promise holds the peer's later packets. */
  envelopes(peer: WhisperPeer, packet: Uint8Array, items: RlpSpan[]): void | Promise<void>
  /** The peer's PoW requirement changed; `looser`: it asks less than before. */
  powChanged(peer: WhisperPeer, looser: boolean): void
  /** The peer takes more than before (a lower PoW or a wider bloom): offer it the pool again. */
  requeue(peer: WhisperPeer): void
  /** Code 127 from a trusted peer. */
  directEnvelopes(peer: WhisperPeer, envelopes: PooledEnvelope[]): void
  /** Whether a mailserver listens for code 126. */
  servesP2PRequests(): boolean
  p2pRequest(peer: WhisperPeer, payload: Uint8Array): void
  /** Code 125 from a trusted peer. */
  requestComplete(peer: WhisperPeer, payload: Uint8Array): void
}

/**
 * The rules per message code for one peer: its budget of bytes and envelopes (none for a trusted peer, a
 * mailserver we asked, which may send history as fast as it can), what a requirement update changes, and
 * which direct (125–127) messages are taken from whom. Breaking a rule throws ShhProtocolError, which
 * disconnects the peer.
 */
export function peerProtocol(peer: WhisperPeer, host: PeerProtocolHost): ShhHandler {
  return {
    onStatus: (status) => {
      peer.applyStatus(status)
      host.peerReady(peer)
    },
    onTraffic: (bytes) => {
      if (peer.trusted) return
      const exceeded = peer.budget.spendBytes(bytes)
      if (exceeded !== null) throw new ShhProtocolError(`peer sent ${exceeded}`)
    },
    onEnvelopes: (packet, items) => {
      const exceeded = peer.trusted ? null : peer.budget.spendEnvelopes(items.length)
      if (exceeded !== null) throw new ShhProtocolError(`peer sent ${exceeded}`)
      return host.envelopes(peer, packet, items)
    },
    // Only a looser requirement can make pooled envelopes newly eligible; re-offering the pool on
    // every update would let a peer make us walk the whole pool per packet.
    onPowRequirement: (pow) => {
      const looser = pow < peer.powRequirement
      peer.powRequirement = pow
      host.powChanged(peer, looser)
    },
    onBloom: (bloom) => {
      const looser = bloom === null ? peer.bloom !== null : peer.bloom !== null && !bloomMatches(peer.bloom, bloom)
      peer.bloom = bloom
      if (looser) host.requeue(peer)
    },
    onP2PMessages: (raws) => {
      if (!peer.trusted) return // geth ignores direct messages from untrusted peers
      const now = host.now()
      host.directEnvelopes(
        peer,
        raws.map((raw) => describeDirect(raw, now))
      )
    },
    onP2PRequest: (payload) => {
      if (!host.servesP2PRequests()) return
      try {
        RLP.decode(payload)
      } catch (err) {
        throw new ShhProtocolError(`undecodable P2P request: ${(err as Error).message}`)
      }
      host.p2pRequest(peer, payload)
    },
    onRequestComplete: (payload) => {
      if (peer.trusted) host.requestComplete(peer, payload)
    }
  }
}
