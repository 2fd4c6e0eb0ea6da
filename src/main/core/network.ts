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

  return {
    whisper: node,
    usePeers(settings) {
      usePeers(node, settings, log)
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

/**
 * An account's own peers, on top of the host's: static peers and mailservers stay connected (a mailserver
 * must be a direct peer, and trusted for its direct deliveries), bootnodes are dialled once. Peers are
 * never dropped here: the node has no removal, and the host's own peers must stay anyway.
 */
function usePeers(node: WhisperNode, settings: NetworkSettings, log: Logger): void {
  const attempt = (what: string, task: () => void): void => {
    try {
      task()
    } catch (error) {
      log.warn(`${what} not added`, { error })
    }
  }
  for (const url of settings.staticPeers) attempt('static peer', () => node.addPeer(url))
  for (const url of settings.mailservers) {
    attempt('mailserver', () => {
      node.addPeer(url)
      node.markTrusted(parseEnode(url).idHex)
    })
  }
  for (const url of settings.bootnodes) attempt('bootnode', () => void node.host.connect(parseEnode(url)))
}

function splitHostPort(value: string): [string, string] {
  const index = value.lastIndexOf(':')
  return index < 0 ? [value, '0'] : [value.slice(0, index).replace(/^\[|\]$/g, ''), value.slice(index + 1)]
}
