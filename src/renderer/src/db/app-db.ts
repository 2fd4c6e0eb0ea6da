import Dexie, { type EntityTable } from 'dexie'

export type ThemePreference = 'system' | 'light' | 'dark'

export interface NotificationPreference {
  enabled: boolean
  /** Off: "New message from <alias>" only, so nothing readable shows on a locked or shared screen. */
  showContent: boolean
}

export type Setting = { key: 'theme'; value: ThemePreference } | { key: 'notifications'; value: NotificationPreference }

/** Whether an account's phrase was checked, as renderers kept it before main did (read once by legacy-backup.ts). */
export interface BackupState {
  accountId: string
  confirmed: boolean
}

/**
 * UI state that belongs to this profile but to no account (appearance, notifications). Message history lives in one
 * database per account, opened after unlock.
 */
export class AppDatabase extends Dexie {
  settings!: EntityTable<Setting, 'key'>
  backups!: EntityTable<BackupState, 'accountId'>

  constructor(name = 'hush-app') {
    super(name)
    this.version(1).stores({ settings: 'key', backups: 'accountId' })
  }
}

export const appDb = new AppDatabase()
