import { describe, expect, it } from 'vitest'
import type { HistoryState, NodeStatus, PeerInfo } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { type StatusInputs, summarizeStatus } from './status-summary'

const peer = (id: string): PeerInfo => ({
  id,
  address: '127.0.0.1:30303',
  direction: 'outbound',
  powRequirement: 0.002,
  fullNode: true,
  light: false,
  trusted: false,
  bytesIn: 0,
  bytesOut: 0,
  connectedAt: 0
})
const node = (state: NodeStatus['state'], peers = 0): NodeStatus => ({ state, enode: null, peers: [...Array(peers).keys()].map((i) => peer(String(i))), envelopes: 0 })
const history = (state: HistoryState['state']): HistoryState => ({ state, syncedUntil: null, gap: null })
const said = (inputs: StatusInputs): string => {
  const summary = summarizeStatus(inputs)
  return `${summary.tone}: ${t(summary.key, summary.params)}`
}

describe('status bar summary', () => {
  it('says connected only with peers, and how many', () => {
    expect(said({ connection: 'connected', node: node('running', 0), history: null })).toBe('warn: Looking for peers…')
    expect(said({ connection: 'connected', node: node('running', 1), history: null })).toBe('ok: Connected · 1 peer')
    expect(said({ connection: 'connected', node: node('running', 3), history: history('done') })).toBe('ok: Connected · 3 peers')
  })

  it('says the host is unreachable whatever the last node status was', () => {
    for (const connection of ['reconnecting', 'token-rejected'] as const) {
      expect(said({ connection, node: node('running', 3), history: history('fetching') })).toBe('error: Host unreachable')
    }
  })

  it('says connecting, catching up, offline and failure in words', () => {
    expect(said({ connection: 'connected', node: null, history: null })).toBe('busy: Connecting…')
    expect(said({ connection: 'connected', node: node('starting'), history: null })).toBe('busy: Connecting…')
    expect(said({ connection: 'connected', node: node('running', 2), history: history('fetching') })).toBe('busy: Catching up on history…')
    expect(said({ connection: 'connected', node: node('running', 0), history: history('fetching') })).toBe('warn: Looking for peers…')
    expect(said({ connection: 'connected', node: node('stopped'), history: null })).toBe('error: Offline')
    expect(said({ connection: 'connected', node: node('failed'), history: null })).toBe('error: The network could not start')
  })
})
