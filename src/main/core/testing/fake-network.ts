import type { NodeStatus } from '../../../shared/api'
import type { NetworkService } from '../host'

/**
 * A network that never touches a socket, for unit tests of the API plumbing only. Tests of the network
 * layer itself, and every end-to-end test, use real nodes.
 */
export class FakeNetwork implements NetworkService {
  private current: NodeStatus = { state: 'stopped', enode: null, peers: [], envelopes: 0 }
  private readonly listeners = new Set<() => void>()

  async start(): Promise<void> {
    this.update({ state: 'running', enode: 'enode://' + 'ab'.repeat(64) + '@127.0.0.1:30303' })
  }

  async stop(): Promise<void> {
    this.update({ state: 'stopped' })
  }

  status(): NodeStatus {
    return this.current
  }

  onStatus(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  update(change: Partial<NodeStatus>): void {
    this.current = { ...this.current, ...change }
    for (const listener of this.listeners) listener()
  }
}
