import { createClient, type HushClient } from '../../../shared/api/client'
import type { HushBridge } from '../../../shared/api/contract'

let client: HushClient | null = null

/** Installs the client once at start-up; the store layer is its only user. */
export function installClient(bridge: HushBridge): HushClient {
  client = createClient(bridge, {
    onInvalidEvent: (event, issues) => console.warn(`Ignored malformed ${event} event`, issues)
  })
  return client
}

export function hush(): HushClient {
  if (!client) throw new Error('The Hush API client is not installed yet')
  return client
}
