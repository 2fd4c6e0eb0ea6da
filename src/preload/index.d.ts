import type { HushBridge } from '../shared/api/contract'

declare global {
  interface Window {
    /** Present in Electron (preload); the web host's page installs an equivalent over WebSocket. */
    hush?: HushBridge
  }
}
