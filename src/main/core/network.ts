import type { NetworkSettings, NodeStatus } from '../../shared/api'
import type { NetworkService } from './host'
import type { Logger } from './log/logger'
import { parseEnode } from './p2p/enode'
import { WhisperNode } from './whisper/node'

export interface NetworkConfig {
  /** HOST:PORT for the RLPx listener; port 0 picks a free one. */
  listen: string
  staticPeers: string[]
  bootnodes: string[]
}

/**
 * The app's Whisper node behind the host's NetworkService: it turns the node's events into one "status
 * changed" signal and its snapshot into the API's NodeStatus.
 */
export function createNetwork(config: NetworkConfig, log: Logger): Required<NetworkService> {
  const [host = '127.0.0.1', port = '0'] = splitHostPort(config.listen)
  const node = new WhisperNode({
    listen: { host, port: Number(port) },
    staticPeers: config.staticPeers,
    bootnodes: config.bootnodes
  })
  let state: NodeStatus['state'] = 'stopped'
  let error: string | undefined
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of listeners) listener()
  }
  node.on('status', changed)
  node.on('peer:added', (peer) => log.info('peer added', { peer }))
  node.on('peer:removed', (removal) => log.info('peer removed', { removal }))

  let accountPeers = NO_PEERS
  return {
    whisper: node,
    usePeers(settings) {
      accountPeers = usePeers(node, accountPeers, settings ?? NO_PEERS, config.staticPeers, log)
    },
    async start() {
      state = 'starting'
      changed()
      try {
        await node.start()
        state = 'running'
      } catch (cause) {
        state = 'failed'
        error = cause instanceof Error ? cause.message : String(cause)
        log.error('network failed to start', { error })
      }
      changed()
    },
    async stop() {
      await node.stop()
      state = 'stopped'
      changed()
    },
    status() {
      const snapshot = state === 'running' ? node.status() : null
      return {
        state,
        enode: snapshot?.enode ?? null,
        peers: snapshot?.peers ?? [],
        envelopes: snapshot?.envelopes ?? 0,
        ...(error ? { error } : {})
      }
    },
    onStatus(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

const NO_PEERS: NetworkSettings = { bootnodes: [], staticPeers: [], mailservers: [] }

/**
 * Moves the node from one account's peers to the next (`before` → `after`), and returns `after`. Static peers
 * and mailservers stay connected while they are in the settings (a mailserver must be a direct peer, and
 * trusted for its direct deliveries); one that leaves the settings is disconnected and no longer redialled,
 * unless the host itself was started with it, and a mailserver that leaves is no longer trusted. Bootnodes
 * are dialled once and then treated like any other peer.
 */
function usePeers(node: WhisperNode, before: NetworkSettings, after: NetworkSettings, hostPeers: readonly string[], log: Logger): NetworkSettings {
  const attempt = (what: string, task: () => void): void => {
    try {
      task()
    } catch (error) {
      log.warn(`${what} not changed`, { error })
    }
  }
  const idOf = (url: string): string | null => {
    try {
      return parseEnode(url).idHex
    } catch {
      return null
    }
  }
  const stillTrusted = new Set(after.mailservers.map(idOf))
  for (const url of before.mailservers) {
    const id = idOf(url)
    if (id !== null && !stillTrusted.has(id)) node.unmarkTrusted(id)
  }
  // Compared by URL, so a peer whose address changed is dialled at the new one; the host's own by id.
  const kept = new Set([...after.staticPeers, ...after.mailservers])
  const hostIds = new Set(hostPeers.map(idOf))
  for (const url of [...before.staticPeers, ...before.mailservers]) {
    if (!kept.has(url) && !hostIds.has(idOf(url))) attempt('static peer', () => node.removePeer(url))
  }
  for (const url of after.staticPeers) attempt('static peer', () => node.addPeer(url))
  for (const url of after.mailservers) {
    attempt('mailserver', () => {
      node.addPeer(url)
      node.markTrusted(parseEnode(url).idHex)
    })
  }
  for (const url of after.bootnodes) attempt('bootnode', () => void node.host.connect(parseEnode(url)))
  return after
}

function splitHostPort(value: string): [string, string] {
  const index = value.lastIndexOf(':')
  return index < 0 ? [value, '0'] : [value.slice(0, index).replace(/^\[|\]$/g, ''), value.slice(index + 1)]
}
