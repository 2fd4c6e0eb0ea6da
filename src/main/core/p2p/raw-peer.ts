import { EventEmitter } from 'node:events'
import type { Peer } from '@ethereumjs/devp2p'
import {
  ProtocolBase,
  capability,
  clearStatusTimer,
  guardInboundFrames,
  protocolType,
  sendCompressed,
  type SendFrame
} from './devp2p-workarounds'
import { parseEnode } from './enode'
import { P2PHost, type HostPeer, type PeerRemoval } from './host'

/**
 * A devp2p peer driven by hand: it speaks a capability's framing but has no protocol logic, so tests
 * and benchmarks can send exactly the bytes they want (a bad Status, a crafted batch) and watch what
 * comes back.
 */
export class RawProtocol extends ProtocolBase {
  readonly messages = new EventEmitter<{ message: [number, Uint8Array] }>()
  readonly received: Array<{ code: number; data: Uint8Array }> = []

  constructor(version: number, peer: Peer, send: SendFrame) {
    super(peer, send, protocolType('raw'), version, {})
    clearStatusTimer(this)
    guardInboundFrames(peer, 16 * 1024 * 1024)
  }

  override _handleMessage(code: number, data: Uint8Array): void {
    this.received.push({ code, data })
    this.messages.emit('message', code, data)
  }

  /** `payload` is already RLP; it is compressed like any real peer would. */
  send(code: number, payload: Uint8Array): void {
    sendCompressed(this, code, payload)
  }
}

export interface RawPeer {
  host: P2PHost
  hostPeer: HostPeer
  protocol: RawProtocol
  /** Resolves with the next message with this code (received after the call). */
  next(code: number): Promise<Uint8Array>
  /** Resolves when the connection ends, with the reason as seen from our side. */
  removed: Promise<PeerRemoval>
  close(): Promise<void>
}

/** Dial `enodeUrl` from a fresh host on 127.0.0.1 (a new node key unless given) offering one capability, and wait for the RLPx handshake. */
export async function openRawPeer(
  enodeUrl: string,
  cap: { name: string; version: number; length: number },
  options: { privateKey?: Uint8Array } = {}
): Promise<RawPeer> {
  const host = new P2PHost({
    ...options,
    listen: { host: '127.0.0.1', port: 0 },
    capabilities: [capability(cap.name, cap.version, cap.length, RawProtocol)]
  })
  const target = parseEnode(enodeUrl)
  const added = new Promise<HostPeer>((resolve) => host.on('peer:added', resolve))
  await host.start()
  if (!(await host.connect(target))) throw new Error(`cannot connect to ${enodeUrl}`)
  const hostPeer = await added
  const protocol = hostPeer.peer.getProtocols()[0] as unknown as RawProtocol
  const removed = new Promise<PeerRemoval>((resolve) =>
    host.on('peer:removed', (p, removal) => {
      if (p === hostPeer) resolve(removal)
    })
  )
  return {
    host,
    hostPeer,
    protocol,
    removed,
    next: (code) =>
      new Promise((resolve) => {
        const onMessage = (c: number, data: Uint8Array): void => {
          if (c !== code) return
          protocol.messages.off('message', onMessage)
          resolve(data)
        }
        protocol.messages.on('message', onMessage)
      }),
    close: () => host.stop()
  }
}
