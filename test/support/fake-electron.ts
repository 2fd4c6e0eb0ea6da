import { vi } from 'vitest'
import type {
  App,
  BrowserWindow as ElectronWindow,
  BrowserWindowConstructorOptions,
  Dialog,
  HandlerDetails,
  IpcMain,
  IpcMainInvokeEvent,
  Menu,
  PermissionCheckHandlerHandlerDetails,
  PermissionRequest,
  Protocol,
  Session,
  Shell,
  WebContents,
  WebFrameMain,
  WindowOpenHandlerResponse
} from 'electron'

/**
 * One fake of the part of Electron's main-process API that Hush uses, for running the real modules of
 * src/main/electron and src/main/index.ts in vitest without the Electron binary (`vi.doMock('electron', …)`).
 *
 * It cannot drift silently from Electron: every member Hush calls is declared with Electron's own type from
 * node_modules/electron/electron.d.ts (`App['setPath']`, `Protocol['handle']`, …), so a changed signature
 * stops `npm run typecheck`, and a member Hush starts to call that the fake lacks throws in the tests. The
 * module's export names are checked against Electron's exports in the same way (see `ELECTRON_EXPORTS`).
 *
 * Where Electron enforces an order or a rule, the fake does too (protocol.handle only after ready, one
 * ipcMain handler per channel, one single-instance lock per userData folder, quit emitting will-quit that a
 * listener may cancel), so glue that would fail in Electron fails here.
 */

type Listener = (...args: never[]) => unknown

class Emitter {
  readonly #listeners = new Map<string, Array<{ listener: Listener; once: boolean }>>()

  on(event: string, listener: Listener): this {
    this.#list(event).push({ listener, once: false })
    return this
  }

  once(event: string, listener: Listener): this {
    this.#list(event).push({ listener, once: true })
    return this
  }

  removeListener(event: string, listener: Listener): this {
    this.#listeners.set(event, this.#list(event).filter((entry) => entry.listener !== listener))
    return this
  }

  listenerCount(event: string): number {
    return this.#list(event).length
  }

  /** Calls the listeners as Node's EventEmitter does: in order, synchronously, once-listeners removed first. */
  emit(event: string, ...args: unknown[]): boolean {
    const entries = this.#list(event)
    this.#listeners.set(event, entries.filter((entry) => !entry.once))
    for (const { listener } of entries) (listener as (...values: unknown[]) => unknown)(...args)
    return entries.length > 0
  }

  #list(event: string): Array<{ listener: Listener; once: boolean }> {
    let list = this.#listeners.get(event)
    if (!list) {
      list = []
      this.#listeners.set(event, list)
    }
    return list
  }
}

/** Electron's `Event`: a preventable notification. */
export interface FakeEvent {
  preventDefault: () => void
  readonly defaultPrevented: boolean
}

export function fakeEvent(): FakeEvent {
  let prevented = false
  return {
    preventDefault: () => {
      prevented = true
    },
    get defaultPrevented() {
      return prevented
    }
  }
}

/** Locks held by Hush instances, keyed by userData folder, shared by every fake (as the OS's are by processes). */
const heldLocks = new Set<string>()

/** Another Hush process holding a profile's lock, for single-instance tests; returns its release. */
export function holdInstanceLock(userData: string): () => void {
  heldLocks.add(userData)
  return () => heldLocks.delete(userData)
}

export class FakeApp extends Emitter {
  isPackaged: App['isPackaged'] = false
  readonly paths = new Map<string, string>([['userData', '/fake/userData']])
  exitCode: number | null = null
  quitting = false
  #ready = false
  #readyPromise: Promise<void>
  #resolveReady: () => void = () => {}
  #ownLock: string | null = null

  constructor(private readonly electron: FakeElectron) {
    super()
    this.#readyPromise = new Promise((resolve) => {
      this.#resolveReady = resolve
    })
  }

  setPath: App['setPath'] = (name, path) => {
    this.paths.set(name, path)
  }

  getPath: App['getPath'] = (name) => {
    const path = this.paths.get(name)
    if (path === undefined) throw new Error(`Failed to get '${name}' path`)
    return path
  }

  /** Electron scopes the lock to the userData folder: a second process on the same folder does not get it. */
  requestSingleInstanceLock: App['requestSingleInstanceLock'] = () => {
    const userData = this.getPath('userData')
    if (this.#ownLock === userData) return true
    if (heldLocks.has(userData)) return false
    heldLocks.add(userData)
    this.#ownLock = userData
    return true
  }

  whenReady: App['whenReady'] = () => this.#readyPromise

  isReady: App['isReady'] = () => this.#ready

  /** Electron emits before-quit, closes the windows, then will-quit, which a listener may cancel. */
  quit: App['quit'] = () => {
    this.quitting = true
    this.emit('before-quit', fakeEvent())
    for (const window of [...this.electron.BrowserWindow.windows]) window.destroy()
    const event = fakeEvent()
    this.emit('will-quit', event)
    if (event.defaultPrevented) return
    this.emit('quit', fakeEvent(), 0)
    this.#releaseLock()
    this.exitCode ??= 0
  }

  exit: App['exit'] = (code = 0) => {
    this.#releaseLock()
    this.exitCode = code
  }

  /** What Chromium's start-up does: the app becomes ready and whenReady() resolves. */
  becomeReady(): void {
    this.#ready = true
    this.#resolveReady()
    this.emit('ready', fakeEvent(), {})
  }

  #releaseLock(): void {
    if (this.#ownLock !== null) heldLocks.delete(this.#ownLock)
    this.#ownLock = null
  }
}

/**
 * A frame's URL and origin. Chromium gives a standard scheme registered as privileged a real origin
 * (`hush://app`); other non-http schemes get the opaque "null".
 */
export class FakeWebFrameMain {
  readonly frameTreeNodeId: WebFrameMain['frameTreeNodeId']
  static #nextId = 1

  constructor(
    private readonly electron: FakeElectron,
    public url: WebFrameMain['url'],
    readonly parent: FakeWebFrameMain | null = null
  ) {
    this.frameTreeNodeId = FakeWebFrameMain.#nextId++
  }

  get origin(): WebFrameMain['origin'] {
    const url = new URL(this.url)
    const scheme = url.protocol.slice(0, -1)
    return this.electron.protocol.isStandard(scheme) ? `${url.protocol}//${url.host}` : url.origin
  }

  get top(): FakeWebFrameMain {
    return this.parent ? this.parent.top : this
  }
}

export class FakeWebContents extends Emitter {
  static #nextId = 1
  readonly id: WebContents['id'] = FakeWebContents.#nextId++
  readonly sent: Array<{ channel: string; args: unknown[] }> = []
  readonly mainFrame: FakeWebFrameMain
  #openHandler: Parameters<WebContents['setWindowOpenHandler']>[0] | null = null

  constructor(private readonly electron: FakeElectron) {
    super()
    this.mainFrame = new FakeWebFrameMain(electron, 'about:blank')
  }

  send: WebContents['send'] = (channel, ...args) => {
    this.sent.push({ channel, args })
  }

  getURL: WebContents['getURL'] = () => this.mainFrame.url

  setWindowOpenHandler: WebContents['setWindowOpenHandler'] = (handler) => {
    this.#openHandler = handler
  }

  /** The page navigates itself (a link, `location = …`): will-navigate first, which may cancel it. */
  navigate(url: string): boolean {
    const event = fakeEvent()
    this.emit('will-navigate', event, url, false, true)
    if (event.defaultPrevented) return false
    this.mainFrame.url = url
    return true
  }

  /** A server redirect while loading: will-redirect, which may cancel it. */
  redirect(url: string): boolean {
    const event = fakeEvent()
    this.emit('will-redirect', event, url, false, true)
    if (event.defaultPrevented) return false
    this.mainFrame.url = url
    return true
  }

  /** The page calls `window.open(url)` or follows a target=_blank link; without a handler Electron allows it. */
  openWindow(url: string): WindowOpenHandlerResponse {
    const details: HandlerDetails = { url, frameName: '', features: '', disposition: 'new-window', referrer: { url: this.getURL(), policy: 'strict-origin-when-cross-origin' } }
    return this.#openHandler ? this.#openHandler(details) : { action: 'allow' }
  }

  /** A `<webview>` the page tries to attach: true when some listener prevented it. */
  attachWebview(src: string): boolean {
    const event = fakeEvent()
    this.emit('will-attach-webview', event, { src }, { src })
    return event.defaultPrevented
  }

  /** An iframe inside the page, at the given URL. */
  addFrame(url: string): FakeWebFrameMain {
    return new FakeWebFrameMain(this.electron, url, this.mainFrame)
  }

  /** What `ipcRenderer.invoke(channel, …args)` in one of this page's frames reaches in main. */
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    return this.invokeFrom(this.mainFrame, channel, ...args)
  }

  invokeFrom(frame: FakeWebFrameMain, channel: string, ...args: unknown[]): Promise<unknown> {
    return this.electron.ipcMain.receive(this, frame, channel, args)
  }
}

export class FakeBrowserWindow extends Emitter {
  readonly webContents: FakeWebContents
  readonly loaded: string[] = []
  #destroyed = false
  #visible = false
  #minimized = false
  #focused = false

  constructor(
    private readonly electron: FakeElectron,
    readonly options: BrowserWindowConstructorOptions = {}
  ) {
    super()
    if (!electron.app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready')
    this.webContents = new FakeWebContents(electron)
  }

  loadURL: ElectronWindow['loadURL'] = async (url) => {
    this.loaded.push(url)
    this.webContents.mainFrame.url = url
    queueMicrotask(() => this.emit('ready-to-show', fakeEvent()))
  }

  show: ElectronWindow['show'] = () => {
    this.#visible = true
  }

  isVisible: ElectronWindow['isVisible'] = () => this.#visible

  isDestroyed: ElectronWindow['isDestroyed'] = () => this.#destroyed

  destroy: ElectronWindow['destroy'] = () => {
    if (this.#destroyed) return
    this.#destroyed = true
    this.electron.BrowserWindow.windows.splice(this.electron.BrowserWindow.windows.indexOf(this), 1)
    this.emit('closed', fakeEvent())
    if (this.electron.BrowserWindow.windows.length === 0 && !this.electron.app.quitting) this.electron.app.emit('window-all-closed', fakeEvent())
  }

  minimize: ElectronWindow['minimize'] = () => {
    this.#minimized = true
    this.#focused = false
  }

  isMinimized: ElectronWindow['isMinimized'] = () => this.#minimized

  restore: ElectronWindow['restore'] = () => {
    this.#minimized = false
  }

  focus: ElectronWindow['focus'] = () => {
    this.#focused = true
  }

  isFocused: ElectronWindow['isFocused'] = () => this.#focused
}

export class FakeIpcMain extends Emitter {
  readonly #handlers = new Map<string, Parameters<IpcMain['handle']>[1]>()

  handle: IpcMain['handle'] = (channel, listener) => {
    if (this.#handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.#handlers.set(channel, listener)
  }

  removeHandler: IpcMain['removeHandler'] = (channel) => {
    this.#handlers.delete(channel)
  }

  /** A renderer's invoke arriving: the handler's value (or its error) goes back; no handler is an error. */
  async receive(sender: FakeWebContents, frame: FakeWebFrameMain, channel: string, args: unknown[]): Promise<unknown> {
    const handler = this.#handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    const event = {
      ...fakeEvent(),
      type: 'frame',
      processId: 1,
      frameId: frame.frameTreeNodeId,
      sender: sender as unknown as WebContents,
      senderFrame: frame as unknown as WebFrameMain
    } satisfies IpcMainInvokeEvent
    // Electron structured-clones what crosses the process boundary.
    return structuredClone(await handler(event, ...structuredClone(args)))
  }
}

type Privileged = Parameters<Protocol['registerSchemesAsPrivileged']>[0][number]

export class FakeProtocol {
  readonly privileged: Privileged[] = []
  readonly #handlers = new Map<string, Parameters<Protocol['handle']>[1]>()

  constructor(private readonly electron: FakeElectron) {}

  registerSchemesAsPrivileged: Protocol['registerSchemesAsPrivileged'] = (schemes) => {
    if (this.electron.app.isReady()) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready')
    this.privileged.push(...schemes)
  }

  handle: Protocol['handle'] = (scheme, handler) => {
    if (!this.electron.app.isReady()) throw new Error('protocol.handle cannot be called before app is ready')
    if (this.#handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`)
    this.#handlers.set(scheme, handler)
  }

  isProtocolHandled: Protocol['isProtocolHandled'] = (scheme) => this.#handlers.has(scheme)

  isStandard(scheme: string): boolean {
    return scheme === 'http' || scheme === 'https' || this.privileged.some((entry) => entry.scheme === scheme && entry.privileges?.standard === true)
  }

  /** What the page's request for `url` gets from the registered handler. */
  async request(url: string): Promise<Response> {
    const scheme = new URL(url).protocol.slice(0, -1)
    const handler = this.#handlers.get(scheme)
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME (${scheme})`)
    return handler(new Request(url))
  }
}

export class FakeSession {
  #request: Parameters<Session['setPermissionRequestHandler']>[0] = null
  #check: Parameters<Session['setPermissionCheckHandler']>[0] = null

  setPermissionRequestHandler: Session['setPermissionRequestHandler'] = (handler) => {
    this.#request = handler
  }

  setPermissionCheckHandler: Session['setPermissionCheckHandler'] = (handler) => {
    this.#check = handler
  }

  /** A page asks for a permission; Electron grants everything when no handler is set. */
  requestPermission(
    webContents: FakeWebContents,
    permission: Parameters<NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>>[1],
    details: PermissionRequest & { mediaTypes?: Array<'video' | 'audio'> }
  ): Promise<boolean> {
    const handler = this.#request
    if (!handler) return Promise.resolve(true)
    return new Promise((resolve) => handler(webContents as unknown as WebContents, permission, resolve, details))
  }

  /** A page checks a permission without prompting; Electron answers yes when no handler is set. */
  checkPermission(
    webContents: FakeWebContents | null,
    permission: Parameters<NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>>[1],
    requestingOrigin: string,
    details: PermissionCheckHandlerHandlerDetails
  ): boolean {
    return this.#check ? this.#check(webContents as unknown as WebContents | null, permission, requestingOrigin, details) : true
  }
}

export class FakeShell {
  readonly opened: string[] = []

  openExternal: Shell['openExternal'] = async (url) => {
    this.opened.push(url)
  }
}

export class FakeMenu {
  constructor(readonly template: Parameters<typeof Menu.buildFromTemplate>[0]) {}
}

export class FakeDialog {
  readonly errors: Array<{ title: string; content: string }> = []

  showErrorBox: Dialog['showErrorBox'] = (title, content) => {
    this.errors.push({ title, content })
  }
}

/** The export names the fake stands in for, checked against Electron's own exports at compile time. */
const ELECTRON_EXPORTS = ['app', 'BrowserWindow', 'dialog', 'ipcMain', 'Menu', 'protocol', 'session', 'shell'] as const satisfies ReadonlyArray<
  keyof typeof import('electron')
>

export interface FakeElectron {
  app: FakeApp
  BrowserWindow: (new (options?: BrowserWindowConstructorOptions) => FakeBrowserWindow) & { windows: FakeBrowserWindow[] }
  dialog: FakeDialog
  ipcMain: FakeIpcMain
  Menu: {
    buildFromTemplate: (template: Parameters<typeof Menu.buildFromTemplate>[0]) => FakeMenu
    setApplicationMenu: (menu: FakeMenu | null) => void
    getApplicationMenu: () => FakeMenu | null
  }
  protocol: FakeProtocol
  session: { defaultSession: FakeSession }
  shell: FakeShell
}

/** A fresh Electron: nothing ready, no windows, no handlers. Pass it to `vi.doMock('electron', () => …)`. */
export function createFakeElectron(): FakeElectron & { default: FakeElectron } {
  const electron = {} as FakeElectron
  const windows: FakeBrowserWindow[] = []
  let applicationMenu: FakeMenu | null = null
  const BrowserWindow = class extends FakeBrowserWindow {
    static readonly windows = windows
    constructor(options?: BrowserWindowConstructorOptions) {
      super(electron, options)
      windows.push(this)
    }
  }
  const menu: FakeElectron['Menu'] = {
    buildFromTemplate: (template) => new FakeMenu(template),
    setApplicationMenu: (value) => {
      applicationMenu = value
    },
    getApplicationMenu: () => applicationMenu
  }
  Object.assign(electron, {
    app: new FakeApp(electron),
    BrowserWindow,
    dialog: new FakeDialog(),
    ipcMain: new FakeIpcMain(),
    Menu: menu,
    protocol: new FakeProtocol(electron),
    session: { defaultSession: new FakeSession() },
    shell: new FakeShell()
  } satisfies Record<(typeof ELECTRON_EXPORTS)[number], unknown>)
  return { ...electron, default: electron }
}

/**
 * Replaces `electron` for the modules imported after this call (import them dynamically) with a fresh fake,
 * and makes the app ready unless told otherwise.
 */
export function installFakeElectron(options: { ready?: boolean } = {}): FakeElectron {
  vi.resetModules()
  const electron = createFakeElectron()
  vi.doMock('electron', () => electron)
  if (options.ready ?? true) electron.app.becomeReady()
  return electron
}
