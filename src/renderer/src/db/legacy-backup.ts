import type { Account } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'
import { appDb } from './app-db'

/**
 * Renderers used to remember in the browser's storage, per origin, whether an account's phrase was checked, so
 * another port or browser showed the reminder again. Main keeps it now (`account.backedUp`); a confirmation
 * still held here is handed to main once and then forgotten. A failed hand-off keeps the row for the next unlock.
 */
export async function forgetLegacyBackupState(account: Account, client: HushClient): Promise<void> {
  const row = await appDb.backups.get(account.id)
  if (!row) return
  if (row.confirmed && !account.backedUp) {
    const confirmed = await client.call('accounts.confirmBackup', { id: account.id })
    if (!confirmed.ok) return
  }
  await appDb.backups.delete(account.id)
}
