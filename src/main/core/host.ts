import { mkdirSync } from 'node:fs'
import { platform } from 'node:os'
import type { AppInfo, NodeStatus } from '../../shared/api'
import type { Dispatch } from './api/dispatch'
import { createDispatch } from './api/dispatch'
import { EventHub } from './api/event-hub'
import type { HandlerTable } from './api/handlers'
import type { Logger } from './log/logger'
import { safeExternalUrl } from './security/external-url'
import { ProfileLock } from './storage/profile-lock'

/** What the host needs from the network layer: a status snapshot and a change feed. */
export interface NetworkService {
  start(): Promise<void>
  stop(): Promise<void>
  status(): NodeStatus
  onStatus(listener: () => void): () => void
}

export interface CoreOptions {
  profileDir: string
  runtime: AppInfo['runtime']
  version: string
  log: Logger
  network: NetworkService
  /** Hands a validated URL to the system browser; absent where there is none (the web host). */
  openExternal?: (url: string) => Promise<void>
}

/**
 * The Hush core as one object: owns the profile lock, the services and the handler table, and serves every
 * transport through the same dispatch and event hub. It imports nothing from Electron.
 */
export class HushCore {
  readonly events = new EventHub()
  readonly dispatch: Dispatch
  private lock: ProfileLock | null = null
  private readonly disposers: Array<() => void> = []

  constructor(private readonly options: CoreOptions) {
    this.dispatch = createDispatch(this.handlers(), options.log.child('api'))
  }

  async start(): Promise<void> {
    mkdirSync(this.options.profileDir, { recursive: true, mode: 0o700 })
    this.lock = ProfileLock.acquire(this.options.profileDir)
    const { network } = this.options
    this.disposers.push(network.onStatus(() => this.events.emit('node.status', network.status())))
    await network.start()
    this.options.log.info('core started', { runtime: this.options.runtime })
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose()
    await this.options.network.stop()
    this.lock?.release()
    this.lock = null
  }

  private handlers(): HandlerTable {
    const { options } = this
    return {
      'app.info': () => ({
        name: 'Hush',
        version: options.version,
        runtime: options.runtime,
        profile: options.profileDir,
        platform: platform()
      }),
      'app.openExternal': async ({ url }) => {
        const safe = safeExternalUrl(url)
        if (!safe || !options.openExternal) return { opened: false }
        await options.openExternal(safe)
        return { opened: true }
      },
      'node.status': () => options.network.status()
    }
  }
}
