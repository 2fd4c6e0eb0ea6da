import { EventEmitter } from 'node:events'
import { bytesToHex } from '@noble/hashes/utils.js'
import { keccak256 } from '../../src/main/core/primitives/keccak'
import { encodeEnvelope, type Envelope } from '../../src/main/core/whisper/envelope'
import { FilterSet, type ReceivedMessage } from '../../src/main/core/whisper/filters'
import { sealMessage } from '../../src/main/core/whisper/message'
import type { NodeStatus, PostOptions, SubscribeSpec, WhisperNode } from '../../src/main/core/whisper/node'
import type { PeerInfo } from '../../src/main/core/whisper/peer'

/*
 * An in-memory Whisper network for state-machine tests of the messenger: every node that is online hears
 * every envelope another online node posts, in posting order, one macrotask later. Envelopes are sealed
 * and opened with the real Whisper crypto and filters (no PoW), under the test's clock. Nothing listens
 * on a socket, nothing is mined, and what is delivered (and what was dropped) is logged.
 */

export interface Posted {
  from: string
  hashHex: string
  envelope: Envelope
  /** Nodes it reached. */
  to: string[]
}

export class MemoryNetwork {
  readonly nodes: MemoryNode[] = []
  /** Every envelope posted, with whom it reached. */
  readonly posted: Posted[] = []
  private delivering: Promise<void> = Promise.resolve()

  constructor(readonly now: () => number) {}

  node(id: string): MemoryNode {
    const node = new MemoryNode(this, id)
    this.nodes.push(node)
    return node
  }

  online(except?: MemoryNode): MemoryNode[] {
    return this.nodes.filter((n) => n.isOnline && n !== except)
  }

  /** Resolves once everything posted so far has been handed to the filters. */
  settled(): Promise<void> {
    return this.delivering
  }

  send(from: MemoryNode, envelope: Envelope): string {
    const hashHex = bytesToHex(keccak256(encodeEnvelope(envelope)))
    const targets = this.online(from)
    this.posted.push({ from: from.id, hashHex, envelope, to: targets.map((n) => n.id) })
    this.delivering = this.delivering.then(async () => {
      await new Promise((resolve) => setImmediate(resolve))
      for (const node of targets) node.receive({ envelope, hashHex, pow: 0 })
    })
    return hashHex
  }
}

/** The part of WhisperNode the messenger uses, over a MemoryNetwork. Cast with `asWhisperNode()`. */
export class MemoryNode extends EventEmitter<{ 'peer:added': [PeerInfo]; 'peer:looser': [PeerInfo] }> {
  isOnline = false
  private readonly filters = new FilterSet()
  private readonly handlers = new Map<string, (message: ReceivedMessage) => void>()
  private readonly reached = new Map<string, number>()

  constructor(
    private readonly network: MemoryNetwork,
    readonly id: string
  ) {
    super()
  }

  asWhisperNode(): WhisperNode {
    return this as unknown as WhisperNode
  }

  /** Joins the network: this node and every online one see each other as a new peer. */
  connect(): void {
    if (this.isOnline) return
    this.isOnline = true
    for (const other of this.network.online(this)) {
      other.emit('peer:added', this.info())
      this.emit('peer:added', other.info())
    }
  }

  /** Leaves the network: it neither hears nor reaches anyone until it connects again. */
  disconnect(): void {
    this.isOnline = false
  }

  subscribe(spec: SubscribeSpec, handler: (message: ReceivedMessage) => void): () => void {
    const key = 'symKey' in spec.key ? { kind: 'sym' as const, symKey: spec.key.symKey } : { kind: 'asym' as const, privateKey: spec.key.privateKey }
    const id = this.filters.install({ ...spec, key })
    this.handlers.set(id, handler)
    return () => {
      this.filters.uninstall(id)
      this.handlers.delete(id)
    }
  }

  async post(options: PostOptions): Promise<string> {
    const now = this.network.now
    const envelope = sealMessage({
      payload: options.payload,
      topic: options.topic,
      key: options.key,
      ttl: options.ttl ?? 50,
      powTarget: 0,
      workTimeMs: 0,
      now,
      ...(options.signWith !== undefined ? { signWith: options.signWith } : {})
    })
    if (!this.isOnline) return this.remember(bytesToHex(keccak256(encodeEnvelope(envelope))), 0)
    const hashHex = this.network.send(this, envelope)
    return this.remember(hashHex, this.network.online(this).length)
  }

  reach(hashHex: string): number {
    return this.reached.get(hashHex) ?? 0
  }

  reachablePeers(): number {
    return this.isOnline ? this.network.online(this).length : 0
  }

  sendPow(): number {
    return 0
  }

  peerCount(): number {
    return this.isOnline ? this.network.online(this).length : 0
  }

  peerIds(): string[] {
    return this.isOnline ? this.network.online(this).map((n) => n.id) : []
  }

  status(): NodeStatus {
    const peers = this.isOnline ? this.network.online(this).map((n) => n.info()) : []
    return { enode: '', listening: false, light: false, minPow: 0, peers, envelopes: 0 }
  }

  receive(pooled: { envelope: Envelope; hashHex: string; pow: number }): void {
    if (!this.isOnline) return
    for (const { filterId, message } of this.filters.deliver(pooled, { p2p: false })) this.handlers.get(filterId)?.(message)
  }

  private remember(hashHex: string, reach: number): string {
    this.reached.set(hashHex, reach)
    return hashHex
  }

  private info(): PeerInfo {
    return {
      id: this.id,
      address: 'memory',
      direction: 'outbound',
      powRequirement: 0,
      fullNode: true,
      light: false,
      trusted: false,
      bytesIn: 0,
      bytesOut: 0,
      connectedAt: this.network.now()
    }
  }
}
