import { connectApi } from './fixtures/api'
import { type AppInstance, expect, test } from './fixtures/app'
import { conversation, joinPublicChat, messages, openChat, sendMessage, waitForPeers } from './fixtures/chats'
import { type CreatedIdentity, createIdentity } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

/** Every person gets a different password, so a mix-up would show. */
const passwordOf = (person: AppInstance) => `pass-${person.name}-42`

test('three people in #hush-test see each other’s messages in order, with the right authors', async ({ launch, relay }) => {
  test.setTimeout(180_000)
  const people: AppInstance[] = []
  const identities: CreatedIdentity[] = []
  for (const name of ['alice', 'bob', 'carol']) {
    const person = await launch({ name, staticPeers: [relay.enode], mailservers: [relay.enode] })
    identities.push(await createIdentity(person.page, passwordOf(person)))
    people.push(person)
  }
  const [alice, bob, carol] = people as [AppInstance, AppInstance, AppInstance]

  await alice.page.getByRole('button', { name: 'Join public chat' }).click()
  // The name is judged as it is typed, in words, and cannot be submitted while it is wrong.
  await alice.page.getByLabel('Chat name').fill('Not A Valid Name!')
  await expect(alice.page.getByTestId('join-problem')).toHaveText('A chat name can only have lower-case letters a–z, digits and dashes.')
  await expect(alice.page.getByRole('dialog').getByRole('button', { name: 'Join' })).toBeDisabled()
  await snap(alice.page, 'join-dialog-error')
  await alice.page.getByLabel('Chat name').fill('hush-test')
  await expect(alice.page.getByTestId('join-problem')).toBeHidden()
  await snap(alice.page, 'join-dialog')
  await alice.page.getByRole('dialog').getByRole('button', { name: 'Join' }).click()
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('#hush-test')
  for (const person of [bob, carol]) await joinPublicChat(person.page, 'hush-test')
  for (const person of people) await waitForPeers(person.page, 1)

  const lines: Array<[number, string]> = [
    [0, 'Hello from Alice'],
    [1, 'Hi Alice, Bob here'],
    [2, 'Carol joins the party'],
    [0, 'Welcome, both of you 👋']
  ]
  const expected: Array<[string, string]> = []
  for (const [index, [who, text]] of lines.entries()) {
    // Carol looks away before the last message, so it arrives unread.
    if (index === lines.length - 1) await carol.page.getByRole('button', { name: 'Settings' }).click()
    await sendMessage((people[who] as AppInstance).page, text)
    expected.push([(identities[who] as CreatedIdentity).alias, text])
    for (const person of people.filter((p) => p !== carol || index < lines.length - 1)) {
      await expect.poll(() => conversation(person.page), { timeout: 30_000 }).toEqual(expected)
    }
  }

  const carolsChat = carol.page.getByTestId('chat-list-item').filter({ hasText: '#hush-test' })
  await expect(carolsChat.getByTestId('unread-badge')).toHaveText('1', { timeout: 30_000 })
  await snap(carol.page, 'chat-list')
  await carolsChat.click()
  await expect(carol.page.getByTestId('new-messages-divider')).toBeVisible()
  await expect.poll(() => conversation(carol.page)).toEqual(expected)
  await expect(carolsChat.getByTestId('unread-badge')).toBeHidden()
  await snap(alice.page, 'conversation-public')

  // Leaving asks first, then forgets the chat on this computer.
  await carol.page.getByRole('button', { name: 'Leave' }).click()
  await expect(carol.page.getByText('Leave this chat and delete its history on this computer?')).toBeVisible()
  await carol.page.getByRole('button', { name: 'Leave' }).click()
  await expect(carol.page.getByTestId('chat-list-empty')).toBeVisible()
  await expect(carol.page.getByTestId('conversation-title')).toBeHidden()

  // The network page shows the relay as a connected peer and checks enode URLs as they are typed.
  await alice.page.getByRole('button', { name: 'Network' }).click()
  await expect(alice.page.getByTestId('peer-table')).toContainText('127.0.0.1')
  // Each peer's minimum PoW (the relay runs with hush-node's default, Status' 0.002).
  await expect(alice.page.getByTestId('peer-pow')).toHaveText(['0.002'])
  const mailservers = alice.page.getByLabel('Mailservers')
  await expect(mailservers).toHaveValue(relay.enode)
  await mailservers.fill(`${relay.enode}\nenode://not-a-node@somewhere`)
  await expect(alice.page.getByTestId('mailservers-problem')).toHaveText(/line 2/)
  await expect(alice.page.getByRole('button', { name: 'Save' })).toBeDisabled()
  await snap(alice.page, 'network-settings')
  await mailservers.fill(relay.enode)
  await alice.page.getByRole('button', { name: 'Save' }).click()
  await expect(alice.page.getByTestId('network-saved')).toBeVisible()
})

test('a 1:1 chat by key: both ways, delivered, markup shown as text, and offline messages arrive exactly once', async ({ launch, relay }) => {
  test.setTimeout(240_000)
  const alice = await launch({ name: 'alice', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const aliceId = await createIdentity(alice.page, passwordOf(alice))
  const bob = await launch({ name: 'bob', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const bobId = await createIdentity(bob.page, passwordOf(bob))
  const dialogs: string[] = []
  for (const person of [alice, bob]) person.page.on('dialog', (dialog) => dialogs.push(dialog.message()))
  await waitForPeers(alice.page, 1)
  await waitForPeers(bob.page, 1)

  await alice.page.getByRole('button', { name: 'New chat' }).click()
  const key = alice.page.getByRole('dialog').getByLabel('Chat key')
  await key.fill('0x04 not a key')
  await expect(alice.page.getByTestId('key-problem')).toContainText('That is not a chat key')
  await key.fill(bobId.publicKey)
  await expect(alice.page.getByTestId('contact-preview-alias')).toHaveText(bobId.alias)
  await snap(alice.page, 'start-dialog')
  await alice.page.getByRole('button', { name: 'Start chat' }).click()
  await expect(alice.page.getByTestId('conversation-title')).toHaveText(bobId.alias)

  await sendMessage(alice.page, 'Hi Bob, it is Alice')
  await openChat(bob.page, aliceId.alias)
  await expect.poll(() => conversation(bob.page), { timeout: 30_000 }).toEqual([[aliceId.alias, 'Hi Bob, it is Alice']])
  await sendMessage(bob.page, 'Hello Alice!')
  const both: Array<[string, string]> = [
    [aliceId.alias, 'Hi Bob, it is Alice'],
    [bobId.alias, 'Hello Alice!']
  ]
  await expect.poll(() => conversation(alice.page), { timeout: 30_000 }).toEqual(both)
  await expect(messages(alice.page).first().getByTestId('delivery-state')).toHaveText('Delivered', { timeout: 30_000 })

  const markup = '<img src=x onerror=alert(1)>'
  await sendMessage(alice.page, markup)
  const shown = messages(bob.page).getByTestId('message-text').filter({ hasText: markup })
  await expect(shown).toHaveText(markup, { timeout: 30_000 })
  await expect(bob.page.getByTestId('timeline').locator('.message-text img')).toHaveCount(0)
  await snap(bob.page, 'conversation-one-to-one')

  await bob.stopHost()
  const away = ['Sent while you were away (1)', 'Sent while you were away (2)']
  for (const text of away) await sendMessage(alice.page, text)
  await bob.restart()
  await bob.page.getByLabel('Password').fill(passwordOf(bob))
  await bob.page.getByRole('button', { name: 'Unlock' }).click()
  await openChat(bob.page, aliceId.alias)
  const everything: Array<[string, string]> = [...both, [aliceId.alias, markup], ...away.map((text): [string, string] => [aliceId.alias, text])]
  await expect.poll(() => conversation(bob.page), { timeout: 60_000 }).toEqual(everything)
  // Exactly once in main's history too, not just on screen.
  const apiUrl = bob.apiUrl()
  test.skip(apiUrl === null, 'reading main\'s history from the test needs the web host\'s socket API')
  const api = await connectApi(apiUrl as string)
  const history = await api.client.call('history.read', { chatId: aliceId.publicKey, range: { lower: null, upper: null }, limit: 1_000 })
  api.close()
  if (!history.ok) throw new Error(history.error.message)
  const stored = away.map((text) => history.value.messages.filter((message) => message.text === text).length)
  expect(stored).toEqual([1, 1])
  expect(dialogs).toEqual([])
})

test('the composer: Shift+Enter for a new line, the emoji picker, and links that open outside the app', async ({ launch, target }) => {
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  await createIdentity(page, passwordOf(alice))
  await joinPublicChat(page, 'composer-test')
  const composer = page.getByLabel('Message', { exact: true })
  await composer.fill('first line')
  await composer.press('Shift+Enter')
  await composer.pressSequentially('second line ')
  await page.getByRole('button', { name: 'Insert emoji' }).click()
  await page.getByRole('button', { name: '🚀' }).click()
  await expect(composer).toHaveValue('first line\nsecond line 🚀')
  await composer.press('Enter')
  await expect(messages(page).getByTestId('message-text')).toHaveText(['first line\nsecond line 🚀'])

  // An unsent draft is kept per chat, even when the person leaves the chat right after typing.
  await composer.fill('half a thought')
  await page.getByRole('button', { name: 'Profile' }).click()
  await openChat(page, '#composer-test')
  await expect(composer).toHaveValue('half a thought')
  await composer.fill('')

  const text = messages(page).getByTestId('message-text').last()
  await sendMessage(page, 'read https://example.org/guide, then javascript:alert(1)')
  await expect(text.getByRole('link')).toHaveCount(1)
  // Electron hands the link to the system browser, which is outside this test.
  if (target === 'electron') return
  // The web host has no system browser of its own: the link opens in a new tab, never inside the app.
  await page.context().route('https://example.org/**', (route) => route.fulfill({ body: 'example' }))
  const opened = page.context().waitForEvent('page')
  await text.getByRole('link', { name: 'https://example.org/guide' }).click()
  const tab = await opened
  await tab.waitForLoadState()
  expect(tab.url()).toBe('https://example.org/guide')
  expect(page.url()).not.toContain('example.org')
})
