import type { Page } from '@playwright/test'
import { connectApi } from './fixtures/api'
import { expect, test } from './fixtures/app'
import { joinPublicChat, openChat, sendMessage } from './fixtures/chats'
import { seededText, seedPublicHistory } from './fixtures/history'
import { createIdentity, unlock } from './fixtures/onboarding'

const CHAT = 'long-history'
const COUNT = 2_000
/** MAX_WINDOW plus one page (src/renderer/src/features/chats/use-message-window.ts). */
const MOST_ROWS = 300

/** Scrolls the timeline to its top; returns the message then at the top and where it is on screen. */
async function scrollToTop(page: Page): Promise<{ id: string; top: number; rows: number }> {
  return page.getByTestId('timeline').evaluate((timeline) => {
    timeline.scrollTop = 0
    const first = timeline.querySelector<HTMLElement>('[data-message-id]')
    return { id: first?.dataset.messageId ?? '', top: first?.getBoundingClientRect().top ?? NaN, rows: timeline.querySelectorAll('[data-message-id]').length }
  })
}

async function firstRowId(page: Page): Promise<string> {
  return page.getByTestId('timeline').evaluate((timeline) => timeline.querySelector<HTMLElement>('[data-message-id]')?.dataset.messageId ?? '')
}

async function topOf(page: Page, id: string): Promise<number> {
  return page.getByTestId('timeline').evaluate((timeline, wanted) => {
    const row = [...timeline.querySelectorAll<HTMLElement>('[data-message-id]')].find((item) => item.dataset.messageId === wanted)
    return row?.getBoundingClientRect().top ?? NaN
  }, id)
}

test('a long history is read through a bounded window that keeps its place while paging and as messages arrive', async ({ launch }) => {
  test.setTimeout(120_000)
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  const shown = (text: string) => page.getByTestId('timeline').getByText(text, { exact: true })
  await createIdentity(page, 'window-pass-1')
  await joinPublicChat(page, CHAT)
  await alice.stopHost()
  await seedPublicHistory(alice.profileDir, 'window-pass-1', [{ chatId: CHAT, count: COUNT }])
  await alice.restart()
  await unlock(alice.page, 'window-pass-1')
  await openChat(page, `#${CHAT}`)
  await expect(shown(seededText(CHAT, COUNT))).toBeInViewport()

  const rowsSeen: number[] = []
  const drift: number[] = []
  while ((await shown(seededText(CHAT, 1)).count()) === 0) {
    const before = await scrollToTop(page)
    rowsSeen.push(before.rows)
    // Older messages arrive above: the row that was at the top must not move.
    await expect.poll(async () => (await firstRowId(page)) !== before.id || (await shown(seededText(CHAT, 1)).count()) > 0).toBe(true)
    drift.push(Math.abs((await topOf(page, before.id)) - before.top))
    expect(rowsSeen.length).toBeLessThan(COUNT / 20)
  }
  expect(Math.max(...rowsSeen)).toBeLessThanOrEqual(MOST_ROWS)
  expect(Math.max(...drift)).toBeLessThanOrEqual(1)
  await expect(page.getByText('This is the beginning of the history on this computer.')).toBeVisible()

  // A message arriving at the far end while the person reads old ones does not move what they read. It is
  // sent by another client of the same host: one sent from this page's composer takes the person to the end.
  const apiUrl = alice.apiUrl()
  test.skip(apiUrl === null, 'sending from outside the page needs the web host\'s socket API')
  const reading = await scrollToTop(page)
  const api = await connectApi(apiUrl as string)
  expect((await api.client.call('messages.send', { chatId: CHAT, text: 'Written while reading old messages' })).ok).toBe(true)
  api.close()
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible()
  expect(Math.abs((await topOf(page, reading.id)) - reading.top)).toBeLessThanOrEqual(1)
  await page.getByRole('button', { name: 'Jump to latest' }).click()
  await expect(shown('Written while reading old messages')).toBeInViewport()
  // At the end, the view follows new messages.
  await sendMessage(page, 'And one more at the end')
  await expect(shown('And one more at the end')).toBeInViewport()
  expect(await page.getByTestId('timeline').getByTestId('message').count()).toBeLessThanOrEqual(MOST_ROWS)
})
