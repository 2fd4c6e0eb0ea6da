import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from './fixtures/app'
import { allowKeyStretching } from './fixtures/key-stretching'
import { createIdentity } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

/** Every file under a folder, as text, for the secret scan. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name)
      return { path, text: readFileSync(path).toString('latin1') }
    })
}

test('create an identity, lock, fail with a wrong password, unlock; restore it elsewhere from its words', async ({ launch }) => {
  const password = 'tulip-orbit-42'
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  const created = await createIdentity(page, password, { name: 'Alice', screenshots: true })

  await expect(page.getByTestId('profile-name')).toHaveText('Alice')
  await expect(page.getByTestId('profile-alias')).toHaveText(created.alias)
  expect(created.publicKey).toMatch(/^0x04[0-9a-f]{128}$/)
  await expect(page.locator('.profile [data-testid="identicon"]').first()).toBeVisible()
  await expect(page.getByTestId('qr-code')).toBeVisible()
  await expect(page.getByTestId('wallet-address')).toHaveText(/^0x[0-9a-fA-F]{40}$/)
  await expect(page.getByTestId('backup-reminder')).toBeVisible()
  await snap(page, 'profile')

  await page.getByRole('button', { name: 'Lock' }).click()
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible()
  await expect(page.getByTestId('account-name')).toHaveText('Alice')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('error')).toHaveText('Wrong password.', { timeout: allowKeyStretching() })
  await snap(page, 'unlock-wrong-password')
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('chat-key')).toHaveText(created.publicKey, { timeout: allowKeyStretching() })

  const bob = await launch({ name: 'restored' })
  await bob.page.getByRole('button', { name: 'Restore from recovery phrase' }).click()
  const words = created.mnemonic.split(' ')
  // A prefix gets completions; a word that cannot become a BIP39 word is flagged at once.
  await bob.page.getByLabel('Word 1', { exact: true }).fill('zoo')
  await expect(bob.page.getByRole('option', { name: 'zoo' })).toBeHidden()
  await bob.page.getByLabel('Word 1', { exact: true }).fill('abo')
  await expect(bob.page.getByRole('option', { name: 'about' })).toBeVisible()
  await expect(bob.page.getByText('Not a recovery-phrase word')).toBeHidden()
  await bob.page.getByRole('option', { name: 'about' }).click()
  await expect(bob.page.getByLabel('Word 1', { exact: true })).toHaveValue('about')
  await bob.page.getByLabel('Word 2', { exact: true }).fill('qqq')
  await expect(bob.page.getByText('Not a recovery-phrase word')).toBeVisible()
  // Pasting the whole phrase into the first field fills all twelve.
  await bob.page.getByLabel('Word 1', { exact: true }).focus()
  await bob.page.evaluate((phrase) => {
    const input = document.activeElement as HTMLInputElement
    const data = new DataTransfer()
    data.setData('text/plain', phrase)
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, created.mnemonic)
  await expect(bob.page.getByTestId('preview-alias')).toHaveText(created.alias)
  await expect(bob.page.getByTestId('restore-preview')).toContainText(created.publicKey)
  await snap(bob.page, 'restore-preview')
  await bob.page.getByLabel('Password', { exact: true }).fill('another-pass')
  await bob.page.getByLabel('Confirm password').fill('another-pass')
  await bob.page.getByRole('button', { name: 'Restore' }).click()
  await expect(bob.page.getByTestId('chat-key')).toHaveText(created.publicKey, { timeout: allowKeyStretching() })
  await expect(bob.page.getByTestId('profile-alias')).toHaveText(created.alias)
  await expect(bob.page.getByTestId('backup-reminder')).toBeHidden()

  // No secret in any file of either profile (keystores hold them encrypted only) nor in the renderer's storage.
  const secrets = [created.mnemonic, words.slice(0, 4).join(' '), password, 'another-pass']
  for (const file of [...filesUnder(alice.profileDir), ...filesUnder(bob.profileDir)]) {
    for (const secret of secrets) expect(file.text.includes(secret), `${file.path} contains a secret`).toBe(false)
  }
  for (const instance of [alice, bob]) {
    const stored = await instance.page.evaluate(async () => {
      const dump: string[] = [JSON.stringify(localStorage), JSON.stringify(sessionStorage)]
      for (const info of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(info.name ?? '')
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error)
        })
        for (const store of db.objectStoreNames) {
          const rows = await new Promise<unknown[]>((resolve) => {
            const request = db.transaction(store).objectStore(store).getAll()
            request.onsuccess = () => resolve(request.result)
          })
          dump.push(JSON.stringify(rows))
        }
        db.close()
      }
      return dump.join('\n')
    })
    for (const secret of secrets) expect(stored.includes(secret)).toBe(false)
  }
})

test('a profile with a corrupted keystore still starts and names the broken file', async ({ launch }) => {
  const first = await launch({ name: 'corrupt' })
  await createIdentity(first.page, 'first-pass-1')
  await first.close()
  const accountsDir = join(first.profileDir, 'accounts')
  const [file] = readdirSync(accountsDir)
  const broken = join(accountsDir, file ?? '')
  writeFileSync(broken, '{"version":3,"crypto":{"cipher":"aes-128-ctr"')

  const again = await launch({ name: 'corrupt', profileDir: first.profileDir })
  await expect(again.page.getByTestId('corrupt-keystores')).toContainText(broken)
  await expect(again.page.getByRole('button', { name: 'Create a new identity' })).toBeVisible()
  expect(readFileSync(broken, 'utf8')).toBe('{"version":3,"crypto":{"cipher":"aes-128-ctr"')
})

test('the appearance setting is kept in Dexie across a reload', async ({ launch }) => {
  const alice = await launch({ name: 'alice' })
  await createIdentity(alice.page, 'theme-pass-1')
  const html = alice.page.locator('html')
  await expect(html).not.toHaveAttribute('data-theme', /.+/)
  await alice.page.getByRole('button', { name: 'Settings' }).click()
  await alice.page.locator('label', { hasText: 'Dark' }).click()
  await expect(html).toHaveAttribute('data-theme', 'dark')
  await alice.page.reload()
  await expect(alice.page.getByTestId('chat-key')).toBeVisible()
  await expect(html).toHaveAttribute('data-theme', 'dark')
})
