import { expect, test } from './fixtures/app'
import { allowKeyStretching } from './fixtures/key-stretching'
import { createIdentity, unlock } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

test('errors read as sentences, and the key dialog judges a key as it is typed', async ({ launch }) => {
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  const me = await createIdentity(page, 'tulip-orbit-42')
  await page.getByRole('button', { name: 'New chat' }).click()
  const key = page.getByRole('dialog').getByLabel('Chat key')
  const problem = page.getByTestId('key-problem')
  await key.fill(me.publicKey)
  await expect(problem).toHaveText('That is your own chat key. Paste the chat key of the person you want to write to.')
  // The right length and prefix, but no point of the curve: only main can tell, and it answers with a reason.
  await key.fill('0x04' + '0'.repeat(128))
  await expect(problem).toHaveText(/^That is not a real chat key: it has the right length, but no one can own it\./)
  await snap(page, 'start-dialog-error')
  await key.fill('0x04abc')
  await expect(problem).toHaveText('That is not a chat key. A chat key starts with 0x04 and has 130 hexadecimal characters.')
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Start chat' })).toBeDisabled()
  await page.getByRole('button', { name: 'Cancel' }).click()

  await page.getByRole('button', { name: 'Join public chat' }).click()
  await page.getByLabel('Chat name').fill(me.publicKey)
  await expect(page.getByTestId('join-problem')).toHaveText('That is a chat key, not a chat name. To write to that person, use New chat.')
  await page.getByLabel('Chat name').fill('a'.repeat(256))
  await expect(page.getByTestId('join-problem')).toHaveText('A chat name can have at most 255 characters.')
  for (const text of await page.getByRole('alert').allTextContents()) expect(text).not.toMatch(/not valid:|secp256k1|BAD_REQUEST/)
})

test('settings: change the password, then delete the identity with it', async ({ launch }) => {
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  await createIdentity(page, 'first-password')
  await page.getByRole('button', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
  await expect(page.getByTestId('about')).toContainText(/Version \d+\.\d+\.\d+/)
  await snap(page, 'settings')

  const form = page.getByTestId('change-password')
  await form.getByLabel('Current password').fill('not-the-password')
  await form.getByLabel('New password', { exact: true }).fill('second-password')
  await form.getByLabel('Confirm new password').fill('second-password')
  await form.getByRole('button', { name: 'Change password' }).click()
  await expect(form.getByTestId('progress').or(form.getByTestId('error'))).toBeVisible()
  await expect(form.getByTestId('error')).toHaveText('Wrong password.', { timeout: allowKeyStretching() })
  await form.getByLabel('Current password').fill('first-password')
  await form.getByRole('button', { name: 'Change password' }).click()
  // Checking the old password and encrypting with the new one: two derivations.
  await expect(form.getByTestId('password-changed')).toBeVisible({ timeout: allowKeyStretching(2) })
  await expect(form.getByTestId('error')).toHaveCount(0)

  await page.getByRole('button', { name: 'Profile' }).click()
  await page.getByRole('button', { name: 'Lock' }).click()
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible()
  await snap(page, 'unlock')
  await page.getByLabel('Password').fill('first-password')
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('error')).toHaveText('Wrong password.', { timeout: allowKeyStretching() })
  await unlock(page, 'second-password')

  await page.getByRole('button', { name: 'Settings' }).click()
  const removal = page.getByTestId('delete-account')
  await removal.getByRole('button', { name: 'Delete identity…' }).click()
  await removal.getByLabel('Type your password to delete this identity').fill('first-password')
  await removal.getByRole('button', { name: 'Delete for good' }).click()
  await expect(removal.getByTestId('error')).toHaveText('Wrong password.', { timeout: allowKeyStretching() })
  await snap(page, 'settings-delete')
  await removal.getByLabel('Type your password to delete this identity').fill('second-password')
  await removal.getByRole('button', { name: 'Delete for good' }).click()
  // The only identity is gone: Hush is back at its welcome, with nothing to unlock.
  await expect(page.getByRole('button', { name: 'Create a new identity' })).toBeVisible({ timeout: allowKeyStretching() })
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toHaveCount(0)
})
