/**
 * Every string a person sees, in one typed catalog. Components ask for keys, never write prose, so a
 * translation is a new file with the same shape.
 */
export const en = {
  'app.title': 'Hush',
  'app.loading': 'Starting Hush…',
  'connection.lost': 'Connection to the Hush host lost. Reconnecting…',
  'node.state.starting': 'Connecting…',
  'node.state.running': 'Online',
  'node.state.stopped': 'Offline',
  'node.state.failed': 'Network error',
  'node.peers': '{count, plural, =0 {No peers} one {# peer} other {# peers}}',
  'node.envelopes': '{count} envelopes in pool',
  'node.enode': 'This node',
  'node.peerList': 'Peers',
  'node.noPeers': 'Not connected to any peer yet.',
  'settings.title': 'Settings',
  'settings.theme': 'Appearance',
  'settings.theme.system': 'Follow the system',
  'settings.theme.light': 'Light',
  'settings.theme.dark': 'Dark',
  'about.version': 'Version {version} · {runtime}',
  'error.BAD_REQUEST': 'That request was not valid: {message}',
  'error.UNKNOWN_METHOD': 'This version of Hush does not support that action.',
  'error.TIMEOUT': 'Hush took too long to answer. Please try again.',
  'error.UNAVAILABLE': 'Hush is not reachable right now. Please try again.',
  'error.NOT_FOUND': 'Not found: {message}',
  'error.CONFLICT': '{message}',
  'error.WRONG_PASSWORD': 'Wrong password.',
  'error.LOCKED': 'Unlock your account first.',
  'error.INTERNAL': 'Something went wrong inside Hush: {message}'
} as const

export type MessageKey = keyof typeof en
export type Catalog = Record<MessageKey, string>
