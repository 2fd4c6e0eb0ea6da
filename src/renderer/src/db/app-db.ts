import Dexie, { type EntityTable } from 'dexie'

export type ThemePreference = 'system' | 'light' | 'dark'

export interface Setting {
  key: 'theme'
  value: ThemePreference
}

/**
 * UI state that belongs to this profile but to no account (appearance). Message history lives in one
 * database per account, opened after unlock.
 */
export class AppDatabase extends Dexie {
  settings!: EntityTable<Setting, 'key'>

  constructor(name = 'hush-app') {
    super(name)
    this.version(1).stores({ settings: 'key' })
  }
}

export const appDb = new AppDatabase()
