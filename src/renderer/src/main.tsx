import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import * as z from 'zod'
import { installClient } from './api/hush'
import { connectWebBridge } from './api/web-bridge'
import { App, AppFailure } from './features/shell/App'
import { useAppStore } from './store/app-store'
import { useNetworkStore } from './store/network-store'
import { useSessionStore } from './store/session-store'
import { installEmojiFont } from './ui/emoji-font'
import { ErrorBoundary } from './ui/ErrorBoundary'
import './styles.css'
import './features/social.css'

// Our CSP forbids eval; without this zod probes Function() once and trips a CSP violation report.
z.config({ jitless: true })
installEmojiFont()

const bridge = window.hush ?? connectWebBridge(window.location, (connection) => useAppStore.getState().setConnection(connection))
const client = installClient(bridge)
client.on('node.status', (node) => useAppStore.getState().setNode(node))
client.on('accounts.current', (account) => useSessionStore.getState().setCurrent(account))
client.on('history.state', (history) => useNetworkStore.getState().setHistory(history))

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary name="Hush" fallback={<AppFailure />}>
        <App />
      </ErrorBoundary>
    </StrictMode>
  )
}
