import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { NetworkSettings } from '../../shared/api'
import { createClient, type HushClient } from '../../shared/api/client'
import { inProcessBridge } from './api/in-process'
import { HushCore } from './host'
import { silentLogger } from './log/logger'
import { createNetwork } from './network'
import { WhisperNode } from './whisper/node'
import { pollUntil } from '../../../test/support/poll'

/*
 * One host, two accounts, real Whisper nodes on 127.0.0.1: what one account connected, trusted and listened
 * for must not outlive its unlock, and a network-settings change applies at once, removals included.
 */

const FAST_KDF = { n: 1024, r: 8, p: 1 }
const WAIT_MS = 15_000
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-isolation-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Polls a condition every 10 ms; fails after WAIT_MS with what it was waiting for. */
function until(what: string, predicate: () => boolean): Promise<void> {
  return pollUntil(what, predicate, { timeoutMs: WAIT_MS })
}

async function value<T>(call: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const result = await call
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value
}

async function startNode(): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 } })
  await node.start()
  cleanup.push(() => node.stop())
  return node
}

async function startHost(hostPeers: string[] = []): Promise<{ client: HushClient; node: WhisperNode }> {
  const network = createNetwork({ listen: '127.0.0.1:0', staticPeers: hostPeers, bootnodes: [] }, silentLogger)
  const core = new HushCore({ profileDir: tempDir(), runtime: 'in-process', version: '1', log: silentLogger, network, kdf: FAST_KDF })
  await core.start()
  cleanup.push(() => core.stop())
  return { client: createClient(inProcessBridge(core.dispatch, core.events)), node: network.whisper }
}

async function createAccount(client: HushClient, name: string): Promise<string> {
  const [candidate] = await value(client.call('accounts.candidates', { count: 1 }))
  const { account } = await value(client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'pw', name }))
  return account.id
}

const peerOf = (node: WhisperNode, id: string) => node.status().peers.find((peer) => peer.id === id)
const settings = (partial: Partial<NetworkSettings>): NetworkSettings => ({ staticPeers: [], bootnodes: [], mailservers: [], ...partial })

describe('accounts are isolated on one host', () => {
  it("Alice's static peers, mailservers and filters leave when she locks; Bob does not inherit them", async () => {
    const [peer, mailserver, hostPeer] = await Promise.all([startNode(), startNode(), startNode()])
    const { client, node } = await startHost([hostPeer.enode])
    await until('the host peer is connected', () => peerOf(node, hostPeer.id) !== undefined)

    await createAccount(client, 'Alice')
    await value(client.call('chats.joinPublic', { name: 'alice-only' }))
    // The host's own peer in her settings too, as the web host's --static is in every account's defaults.
    await value(client.call('settings.network.set', settings({ staticPeers: [peer.enode, hostPeer.enode], mailservers: [mailserver.enode] })))
    await until("Alice's peer and mailserver are connected", () => peerOf(node, peer.id) !== undefined && peerOf(node, mailserver.id)?.trusted === true)
    expect(node.filterCount).toBeGreaterThan(0)

    await value(client.call('accounts.lock', {}))
    await until("Alice's peer and mailserver are disconnected", () => !peerOf(node, peer.id) && !peerOf(node, mailserver.id))
    expect(node.filterCount).toBe(0)
    expect(peerOf(node, hostPeer.id)).toBeDefined()

    await createAccount(client, 'Bob')
    expect(await value(client.call('settings.network.get', {}))).toEqual(settings({}))
    // Only the host's own peer is still kept, and the mailserver is no longer trusted.
    expect(node.host.staticPeerIds()).toEqual([hostPeer.id])
    expect(node.isTrusted(mailserver.id)).toBe(false)
    expect(peerOf(node, hostPeer.id)).toBeDefined()
  })

  it('removing a mailserver or a static peer from the settings takes effect at once', async () => {
    const [peer, mailserver] = await Promise.all([startNode(), startNode()])
    const { client, node } = await startHost()
    await createAccount(client, 'Carol')
    await value(client.call('settings.network.set', settings({ staticPeers: [peer.enode], mailservers: [mailserver.enode] })))
    await until('peer and mailserver are connected', () => peerOf(node, peer.id) !== undefined && peerOf(node, mailserver.id)?.trusted === true)

    await value(client.call('settings.network.set', settings({ staticPeers: [peer.enode] })))
    expect(peerOf(node, mailserver.id)?.trusted ?? false).toBe(false)
    await until('the mailserver is disconnected', () => !peerOf(node, mailserver.id))
    expect(peerOf(node, peer.id)).toBeDefined()

    await value(client.call('settings.network.set', settings({})))
    expect(node.host.staticPeerIds()).toEqual([])
    await until('the static peer is disconnected', () => !peerOf(node, peer.id))
    expect(node.isTrusted(mailserver.id)).toBe(false)
  })
})
