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

function show(records: Message[]): void {
  const items = timeline({ messages: records, lastReadClock: Infinity, gap: null, hasOlder: false, hasNewer: false })
  act(() =>
    root.render(
      <ErrorBoundary name="test" fallback={<p data-testid="whole-list-failed" />}>
        <MessageList items={items} hasOlder={false} hasNewer={false} onOlder={noop} onNewer={noop} onJumpToLatest={noop} onFetchHistory={noop} />
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
    expect(rows).toEqual(['message', 'message-unshowable', 'message'])
  })

  it('contains a row that throws while rendering to that row', () => {
    show([message({ clock: 1 }), message({ clock: 2, text: EXPLODES }), message({ clock: 3 })])
    expect(container.querySelector('[data-testid="whole-list-failed"]')).toBeNull()
    expect(texts()).toEqual(['message 1', 'message 3'])
    expect(unshowable()).toBe(1)
  })
})
