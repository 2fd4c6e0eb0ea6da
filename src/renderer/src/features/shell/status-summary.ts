import type { HistoryState, NodeStatus } from '../../../../shared/api'
import type { Connection } from '../../api/web-bridge'
import type { MessageKey } from '../../i18n/en'

export type StatusTone = 'ok' | 'busy' | 'warn' | 'error'

export interface StatusSummary {
  tone: StatusTone
  key: MessageKey
  params: Record<string, number>
}

export interface StatusInputs {
  connection: Connection
  node: NodeStatus | null
  /** Only while an account is unlocked: history belongs to an account. */
  history: HistoryState | null
}

/**
 * The one line the status bar says about the network, in the order a person needs it: a host that cannot be
 * reached makes everything else stale, a node with no peers is not "connected", and catching up on history
 * matters only once there is someone to catch up from.
 */
export function summarizeStatus({ connection, node, history }: StatusInputs): StatusSummary {
  const say = (tone: StatusTone, key: MessageKey, params: Record<string, number> = {}): StatusSummary => ({ tone, key, params })
  if (connection !== 'connected') return say('error', 'node.state.unreachable')
  if (!node || node.state === 'starting') return say('busy', 'node.state.starting')
  if (node.state === 'failed') return say('error', 'node.state.failed')
  if (node.state === 'stopped') return say('error', 'node.state.stopped')
  const peers = node.peers.length
  if (peers === 0) return say('warn', 'node.state.searching')
  if (history?.state === 'fetching') return say('busy', 'node.state.catchingUp')
  return say('ok', 'node.state.connected', { count: peers })
}
