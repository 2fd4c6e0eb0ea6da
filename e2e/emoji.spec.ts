import { expect, test } from './fixtures/app'
import { joinPublicChat, messages, sendMessage } from './fixtures/chats'
import { createIdentity } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

test('the emoji picker searches bundled data, groups by category, remembers recents, and draws emoji with the bundled font, all within the CSP', async ({
  launch
}) => {
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  const origin = new URL(page.url()).origin
  const foreign: string[] = []
  const refused: string[] = []
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) foreign.push(request.url())
  })
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text())
  })
  await createIdentity(page, 'emoji-pass-1')
  await joinPublicChat(page, 'emoji')

  await page.getByRole('button', { name: 'Insert emoji' }).click()
  const picker = page.getByTestId('emoji-picker')
  await expect(picker.getByText('smileys & emotion')).toBeVisible()
  await snap(page, 'emoji-picker')
  await expect(picker.getByLabel('Search emoji')).toBeFocused()
  await picker.getByLabel('Search emoji').fill('thumbs up')
  const thumbs = picker.getByRole('gridcell', { name: 'thumbs up', exact: true })
  const picked = (await thumbs.textContent()) ?? ''
  expect(picked.startsWith('👍')).toBe(true)
  await thumbs.click()
  const composer = page.getByLabel('Message', { exact: true })
  await expect(composer).toHaveValue(picked)
  await page.getByRole('button', { name: 'Insert emoji' }).click()
  await expect(picker.getByRole('group', { name: 'Recently used' }).getByRole('button', { name: picked })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(picker).toBeHidden()
  await sendMessage(page, '👍 🎉')

  // The emoji in the message is drawn by the bundled font, loaded from the app itself.
  await expect(messages(page).last()).toContainText('👍 🎉')
  const faces = await page.evaluate(async () => (await document.fonts.load("16px 'Hush Emoji'", '👍')).map((face) => face.status))
  expect(faces).toEqual(['loaded'])
  expect(foreign).toEqual([])
  expect(refused).toEqual([])
})
