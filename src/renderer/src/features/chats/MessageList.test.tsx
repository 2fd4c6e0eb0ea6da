import { act, createElement } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '../../../../shared/api'
import { message } from '../../testing/fixtures'
import { ErrorBoundary } from '../../ui/ErrorBoundary'
import { MessageList } from './MessageList'
import { MAX_SHOWN_LENGTH } from './message-text'
import { timeline } from './timeline'

/** A row whose rendering fails, standing for any render bug a record could trigger. */
const EXPLODES = 'this row throws while rendering'
vi.mock('./MessageItem', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./MessageItem')>()
  return {
    ...actual,
    MessageItem(props: Parameters<typeof actual.MessageItem>[0]) {
      if (props.message.text === EXPLODES) throw new Error(EXPLODES)
      return createElement(actual.MessageItem, props)
    }
  }
})

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean
}

const noop = () => {}
let container: HTMLDivElement
let root: Root

beforeEach(() => {
  globalThis.IS_REACT_ACT_ENVIRONMENT = true
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
  // React reports caught render errors on the console; the boundaries under test expect them.
  vi.spyOn(console, 'error').mockImplementation(noop)
})

afterEach(() => {
  act(() => root.unmount())
  container.remove()
  vi.restoreAllMocks()
})

function show(records: Message[], extra: Partial<Parameters<typeof MessageList>[0]> = {}): void {
  const items = timeline({ messages: records, lastReadClock: Infinity, gap: null, hasOlder: false, hasNewer: false })
  act(() =>
    root.render(
      <ErrorBoundary name="test" fallback={<p data-testid="whole-list-failed" />}>
        <MessageList items={items} hasOlder={false} hasNewer={false} onOlder={noop} onNewer={noop} onJumpToLatest={noop} onFetchHistory={noop} {...extra} />
      </ErrorBoundary>
    )
  )
}

const texts = () => [...container.querySelectorAll('[data-testid="message-text"]')].map((node) => node.textContent)
const unshowable = () => container.querySelectorAll('[data-testid="message-unshowable"]').length

describe('a conversation with hostile records', () => {
  it('shows a message stamped 2^63−1 with an unknown time instead of unmounting the list', () => {
    show([message({ clock: 1 }), message({ clock: 2, timestamp: 2 ** 63 - 1, text: 'from the far future' }), message({ clock: 3 })])
    expect(container.querySelector('[data-testid="whole-list-failed"]')).toBeNull()
    expect(texts()).toEqual(['message 1', 'from the far future', 'message 3'])
    const times = [...container.querySelectorAll('time')].map((node) => node.textContent)
    expect(times).toContain('—')
  })

  it('clips a stored 1 MiB text and its link bomb to what the page can afford', () => {
    show([message({ clock: 1, text: `${'www.a.co '.repeat(120_000)}${')'.repeat(60_000)}` }), message({ clock: 2 })])
    const [bomb, next] = texts()
    expect(bomb?.length).toBe(MAX_SHOWN_LENGTH)
    expect(container.querySelectorAll('a').length).toBeLessThanOrEqual(100)
    expect(next).toBe('message 2')
  })

  it('stands one small row in for a stored record that is not a message, in its place', () => {
    const broken = { ...message({ clock: 2 }), author: undefined } as unknown as Message
    show([message({ clock: 1 }), broken, message({ clock: 3 })])
    expect(texts()).toEqual(['message 1', 'message 3'])
    expect(unshowable()).toBe(1)
    const rows = [...container.querySelectorAll('li')].map((row) => row.dataset.testid)
    expect(rows).toEqual(['day-separator', 'message', 'message-unshowable', 'message'])
  })

  it('contains a row that throws while rendering to that row', () => {
    show([message({ clock: 1 }), message({ clock: 2, text: EXPLODES }), message({ clock: 3 })])
    expect(container.querySelector('[data-testid="whole-list-failed"]')).toBeNull()
    expect(texts()).toEqual(['message 1', 'message 3'])
    expect(unshowable()).toBe(1)
  })
})

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

describe('the timeline', () => {
  it('marks own messages apart, states delivery as a labelled icon, and lets every text choose its direction', () => {
    show([
      message({ clock: 1, id: id(1), text: 'مرحبا بالعالم' }),
      message({ clock: 2, id: id(2), outgoing: true, status: 'delivered' }),
      message({ clock: 3, id: id(3), outgoing: true, status: 'waiting' })
    ])
    const rows = [...container.querySelectorAll<HTMLElement>('[data-testid="message"]')]
    expect(rows.map((row) => row.classList.contains('outgoing'))).toEqual([false, true, true])
    expect([...container.querySelectorAll('[data-testid="message-text"]')].every((node) => node.getAttribute('dir') === 'auto')).toBe(true)
    const states = [...container.querySelectorAll('[data-testid="delivery-state"]')].map((node) => [node.getAttribute('aria-label'), node.getAttribute('title')])
    expect(states).toEqual([
      ['Delivered', 'Delivered'],
      ['Waiting for the network', 'Waiting for the network']
    ])
    // No state line under each message: the label is the icon's, beside the time.
    expect(container.textContent).not.toContain('Delivered')
    expect(rows.every((row) => row.querySelector('time'))).toBe(true)
  })

  it('quotes a reply\'s original, jumps to it on a click, and stands a neutral placeholder in for one it lacks', () => {
    const onJump = vi.fn<(id: string) => void>()
    const original = message({ clock: 1, id: id(1), text: 'the question' })
    show(
      [original, message({ clock: 2, id: id(2), text: 'the answer', responseTo: id(1) }), message({ clock: 3, id: id(3), text: 'answer to the unseen', responseTo: id(99) })],
      { originals: new Map([[id(1), { kind: 'found', message: original }], [id(99), { kind: 'missing' }]]), onJump }
    )
    const quotes = [...container.querySelectorAll<HTMLElement>('[data-testid="reply-quote"]')]
    expect(quotes.map((quote) => quote.textContent)).toEqual(['Person 1the question', 'The original message is not on this computer.'])
    act(() => quotes[0]?.click())
    expect(onJump).toHaveBeenCalledWith(id(1))
    expect(quotes[1]?.tagName).toBe('DIV')
  })

  it('shows a public-chat stranger by the name their message carried, the alias beside it, and flags a look-alike', () => {
    const base = message({ clock: 1 }).author
    show([
      message({ clock: 1, id: id(1), author: { ...base, displayName: 'Dave' } }),
      message({ clock: 2, id: id(2), author: { ...base, publicKey: `0x04${'cd'.repeat(64)}`, alias: 'Other Person', displayName: 'Carol Jones', lookalike: true } })
    ])
    const rows = [...container.querySelectorAll<HTMLElement>('[data-testid="message"]')]
    expect(rows.map((row) => [row.querySelector('[data-testid="message-chosen-name"]')?.textContent, row.querySelector('[data-testid="message-author"]')?.textContent])).toEqual([
      ['Dave', base.alias],
      ['Carol Jones', 'Other Person']
    ])
    expect(rows.map((row) => row.querySelector('[data-testid="lookalike-mark"]') !== null)).toEqual([false, true])
  })

  it('replies from the hover action and from the R key on a focused message', () => {
    const onReply = vi.fn<(message: Message) => void>()
    show([message({ clock: 1, id: id(1) }), message({ clock: 2, id: id(2) })], { onReply })
    const rows = [...container.querySelectorAll<HTMLElement>('[data-testid="message"]')]
    act(() => rows[0]?.querySelector<HTMLButtonElement>('button[aria-label="Reply"]')?.click())
    act(() => rows[1]?.dispatchEvent(new KeyboardEvent('keydown', { key: 'r', bubbles: true })))
    expect(onReply.mock.calls.map(([replied]) => replied.id)).toEqual([id(1), id(2)])
  })

  it('focuses a message asked for once it is in the list', () => {
    const records = [message({ clock: 1, id: id(1) }), message({ clock: 2, id: id(2) })]
    const focus = { id: id(1) }
    show(records, { focus })
    const row = container.querySelector<HTMLElement>(`[data-message-id="${id(1)}"]`)
    expect(document.activeElement).toBe(row)
    expect(row?.classList.contains('focused')).toBe(true)
  })
})

describe('the "new messages" divider', () => {
  /** Two read messages and two new ones, the divider before the new ones. */
  function showUnread(onDividerSeen: () => void): void {
    const records = [1, 2, 3, 4].map((clock) => message({ clock, id: id(clock) }))
    const items = timeline({ messages: records, lastReadClock: 2, gap: null, hasOlder: false, hasNewer: false })
    expect(items.some((item) => item.kind === 'divider')).toBe(true)
    act(() => root.render(<MessageList items={items} hasOlder={false} hasNewer={false} onOlder={noop} onNewer={noop} onJumpToLatest={noop} onFetchHistory={noop} onDividerSeen={onDividerSeen} />))
  }

  /** The list's scroll geometry, which jsdom does not lay out: 1000 px of messages in a 300 px view. */
  let scrollTop = 0
  beforeEach(() => {
    vi.useFakeTimers()
    scrollTop = 0
    vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockReturnValue(1000)
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(300)
    vi.spyOn(HTMLElement.prototype, 'scrollTop', 'get').mockImplementation(() => scrollTop)
    vi.spyOn(HTMLElement.prototype, 'scrollTop', 'set').mockImplementation(() => undefined)
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  const scrollTo = (top: number) => {
    scrollTop = top
    act(() => container.querySelector('[data-testid="timeline"]')?.dispatchEvent(new Event('scroll')))
  }

  it('goes once the person stays at the end for a moment in the focused window, not on a glance', () => {
    vi.spyOn(document, 'hasFocus').mockReturnValue(true)
    const seen = vi.fn<() => void>()
    showUnread(seen)
    act(() => vi.advanceTimersByTime(5_000))
    expect(seen).not.toHaveBeenCalled()
    scrollTo(700)
    act(() => vi.advanceTimersByTime(1_000))
    scrollTo(200)
    act(() => vi.advanceTimersByTime(5_000))
    expect(seen).not.toHaveBeenCalled()
    scrollTo(700)
    act(() => vi.advanceTimersByTime(1_500))
    expect(seen).toHaveBeenCalledTimes(1)
  })

  it('waits while the window is not focused, and goes once it is', () => {
    const focused = vi.spyOn(document, 'hasFocus').mockReturnValue(false)
    const seen = vi.fn<() => void>()
    showUnread(seen)
    scrollTo(700)
    act(() => vi.advanceTimersByTime(5_000))
    expect(seen).not.toHaveBeenCalled()
    focused.mockReturnValue(true)
    act(() => window.dispatchEvent(new Event('focus')))
    act(() => vi.advanceTimersByTime(1_500))
    expect(seen).toHaveBeenCalledTimes(1)
  })
})
