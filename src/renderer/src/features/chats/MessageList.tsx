import { useCallback, useEffect, useLayoutEffect, useRef } from 'react'
import type { Message } from '../../../../shared/api'
import { formatDate } from '../../i18n/format'
import { t } from '../../i18n/t'
import { ErrorBoundary } from '../../ui/ErrorBoundary'
import { MessageItem, UnshowableMessage } from './MessageItem'
import type { Original } from './ReplyQuote'
import { SeenWatcher } from './seen-watcher'
import type { TimelineItem } from './timeline'
import './timeline.css'

/** How close to an edge (px) the person must scroll before the next page loads. */
const EDGE = 400
const AT_BOTTOM = 48

interface Anchor {
  id: string
  /** The anchor's distance from the top of the viewport. */
  offset: number
}

interface Props {
  items: TimelineItem[]
  hasOlder: boolean
  hasNewer: boolean
  onOlder(): void
  onNewer(): void
  onJumpToLatest(): void
  onFetchHistory(): void
  /** The originals of the replies in view, by id. */
  originals?: ReadonlyMap<string, Original>
  /**
   * A message to bring into view and mark (a reply's original after a jump): its row is scrolled to once,
   * as soon as it is loaded. A new request object asks again for the same message.
   */
  focus?: { id: string } | null
  onReply?(message: Message): void
  onJump?(id: string): void
  /** Bumped to take the person to the end (after they send): the list lands there once the latest page is in. */
  toEnd?: number
  /** The "new messages" divider can go: the person stayed at the end of the list, in the focused window, for a moment. */
  onDividerSeen?(): void
}

/**
 * The conversation timeline. The scroll position is held by hand, as the window changes under it: while
 * the person is at the bottom it stays there as messages arrive; otherwise the first visible message
 * keeps its place on screen when older messages are added above it or the window is trimmed.
 */
export function MessageList(props: Props) {
  const { items, hasOlder, hasNewer, onOlder, onNewer, onJumpToLatest, onFetchHistory, originals, focus, onReply, onJump, toEnd, onDividerSeen } = props
  const scroller = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const anchor = useRef<Anchor | null>(null)
  const placed = useRef(false)
  /** The focus request already scrolled to, so later changes of the window leave the person's place alone. */
  const reached = useRef<{ id: string } | null>(null)

  /** The person asked for the end: it holds until the latest page is in, whatever the window does meanwhile. */
  const wantsEnd = useRef(false)
  useLayoutEffect(() => {
    if (toEnd) wantsEnd.current = true
  }, [toEnd])

  const remember = useCallback(() => {
    const element = scroller.current
    if (!element) return
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM
    const rows = element.querySelectorAll<HTMLElement>('[data-message-id]')
    let low = 0
    let high = rows.length - 1
    // The first row whose bottom edge is below the top of the viewport.
    while (low < high) {
      const middle = (low + high) >> 1
      const row = rows[middle] as HTMLElement
      if (row.offsetTop + row.offsetHeight <= element.scrollTop) low = middle + 1
      else high = middle
    }
    const first = rows[low]
    anchor.current = first ? { id: first.dataset.messageId ?? '', offset: first.offsetTop - element.scrollTop } : null
  }, [])

  useLayoutEffect(() => {
    const element = scroller.current
    if (!element || items.length === 0) return
    const target = focus && focus !== reached.current ? rowOf(element, focus.id) : undefined
    if (target) {
      placed.current = true
      reached.current = focus ?? null
      element.scrollTop = target.offsetTop - (element.clientHeight - target.offsetHeight) / 2
      target.focus({ preventScroll: true })
    } else if (!placed.current) {
      placed.current = true
      const divider = element.querySelector<HTMLElement>('[data-divider]')
      element.scrollTop = divider ? divider.offsetTop - element.clientHeight / 3 : element.scrollHeight
    } else if ((atBottom.current || wantsEnd.current) && !hasNewer) {
      wantsEnd.current = false
      element.scrollTop = element.scrollHeight
    } else if (anchor.current) {
      const row = rowOf(element, anchor.current.id)
      if (row) element.scrollTop = row.offsetTop - anchor.current.offset
    }
    remember()
    // A window too short to scroll gets no scroll events: fill it up instead.
    if (element.scrollHeight <= element.clientHeight && hasOlder) onOlder()
  }, [items, hasOlder, hasNewer, onOlder, remember, focus])

  // While a divider shows, watch for the person reading the end: at the bottom of the latest page, window focused.
  const hasDivider = items.some((item) => item.kind === 'divider')
  const checkSeen = useRef<(() => void) | null>(null)
  useEffect(() => {
    if (!hasDivider || !onDividerSeen) return
    const watcher = new SeenWatcher(onDividerSeen)
    const check = () => watcher.update(atBottom.current && !hasNewer && document.visibilityState === 'visible' && document.hasFocus())
    checkSeen.current = check
    window.addEventListener('focus', check)
    window.addEventListener('blur', check)
    document.addEventListener('visibilitychange', check)
    check()
    return () => {
      checkSeen.current = null
      watcher.cancel()
      window.removeEventListener('focus', check)
      window.removeEventListener('blur', check)
      document.removeEventListener('visibilitychange', check)
    }
  }, [hasDivider, hasNewer, onDividerSeen])

  const onScroll = () => {
    const element = scroller.current
    if (!element) return
    remember()
    checkSeen.current?.()
    if (element.scrollTop < EDGE && hasOlder) onOlder()
    if (element.scrollHeight - element.scrollTop - element.clientHeight < EDGE && hasNewer) onNewer()
  }

  return (
    <div className="timeline" ref={scroller} onScroll={onScroll} data-testid="timeline">
      {!hasOlder && items.length > 0 && <p className="timeline-start muted small">{t('conversation.start')}</p>}
      <ol className="messages" aria-label={t('conversation.messages')}>
        {items.map((item, index) => {
          if (item.kind === 'divider')
            return (
              <li key="divider" className="divider" data-divider role="separator" data-testid="new-messages-divider">
                <span>{t('conversation.newMessages')}</span>
              </li>
            )
          if (item.kind === 'gap')
            return (
              <li key={`gap-${index}`} className="history-gap" role="note" data-testid="history-gap">
                <span>
                  {t('history.gap', { from: formatDate(item.from * 1000, 'dateTime'), to: formatDate(item.to * 1000, 'dateTime') })}
                </span>
                <button type="button" className="button small" onClick={onFetchHistory}>
                  {t('history.fetch')}
                </button>
              </li>
            )
          if (item.kind === 'day')
            return (
              <li key={`day-${item.at}`} className="day-separator" role="separator" data-testid="day-separator">
                <span>{formatDate(item.at, 'date')}</span>
              </li>
            )
          if (item.kind === 'unshowable') return <UnshowableMessage key={item.key} />
          const { message } = item
          return (
            <ErrorBoundary key={message.id} name="A message" fallback={<UnshowableMessage />}>
              <MessageItem
                message={message}
                showsAuthor={item.showsAuthor}
                lastOfRun={item.lastOfRun}
                original={message.responseTo ? originals?.get(message.responseTo) : undefined}
                focused={message.id === focus?.id}
                onReply={onReply}
                onJump={onJump}
              />
            </ErrorBoundary>
          )
        })}
      </ol>
      {hasNewer && (
        <button
          type="button"
          className="button small jump-latest"
          onClick={() => {
            // Land on the newest message once the latest page replaces the window.
            wantsEnd.current = true
            onJumpToLatest()
          }}
        >
          {t('conversation.jumpToLatest')}
        </button>
      )}
    </div>
  )
}

function rowOf(list: HTMLElement, id: string): HTMLElement | undefined {
  return [...list.querySelectorAll<HTMLElement>('[data-message-id]')].find((row) => row.dataset.messageId === id)
}
