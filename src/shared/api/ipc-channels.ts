/** Electron IPC channel names, shared by main and preload so they cannot drift apart. */
export const CALL_CHANNEL = 'hush:call'
export const EVENT_CHANNEL = 'hush:event'
