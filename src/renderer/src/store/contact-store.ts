import { create } from 'zustand'
import type { Contact, SafetyNumberView, ScanOutcome } from '../../../shared/api'
import type { ApiError, Result } from '../../../shared/api/result'
import { hush } from '../api/hush'

interface ContactState {
  /** Every contact main knows, by chat key. */
  contacts: Record<string, Contact>
  /** The contact page shown over the main area, or null. */
  openKey: string | null
  /** Subscribes to contacts.changed and loads the list; returns the unsubscribe. */
  start(): () => void
  reset(): void
  open(publicKey: string | null): void
  /** Any key, including a public-chat author we never met. */
  load(publicKey: string): Promise<Result<Contact>>
  safetyNumber(publicKey: string): Promise<Result<SafetyNumberView>>
  setVerified(publicKey: string, verified: boolean): Promise<ApiError | null>
  verifyScan(publicKey: string, text: string): Promise<Result<ScanOutcome>>
  acknowledgeDevices(publicKey: string): Promise<ApiError | null>
}

const byKey = (contacts: readonly Contact[]): Record<string, Contact> => Object.fromEntries(contacts.map((c) => [c.publicKey, c]))

/** Contacts of the unlocked account: names, devices, verification and look-alike warnings, all decided in main. */
export const useContactStore = create<ContactState>((set, get) => {
  const keep = (contact: Contact): void => {
    if (contact.known) set({ contacts: { ...get().contacts, [contact.publicKey]: contact } })
  }
  const kept = async (call: Promise<Result<Contact>>): Promise<ApiError | null> => {
    const result = await call
    if (!result.ok) return result.error
    keep(result.value)
    return null
  }
  return {
    contacts: {},
    openKey: null,
    start() {
      const off = hush().on('contacts.changed', ({ contacts }) => set({ contacts: byKey(contacts) }))
      void hush()
        .call('contacts.list', {})
        .then((result) => result.ok && set({ contacts: byKey(result.value) }))
      return off
    },
    reset() {
      set({ contacts: {}, openKey: null })
    },
    open(openKey) {
      set({ openKey })
    },
    load: (publicKey) => hush().call('contacts.get', { publicKey }),
    safetyNumber: (publicKey) => hush().call('contacts.safetyNumber', { publicKey }),
    setVerified: (publicKey, verified) => kept(hush().call('contacts.setVerified', { publicKey, verified })),
    async verifyScan(publicKey, text) {
      const result = await hush().call('contacts.verifyScan', { publicKey, text })
      if (!result.ok) return result
      keep(result.value.contact)
      return { ok: true, value: result.value.outcome }
    },
    acknowledgeDevices: (publicKey) => kept(hush().call('contacts.acknowledgeDevices', { publicKey }))
  }
})

/** The stored contact for a key, if any; re-renders only when that contact changes. */
export function useContact(publicKey: string | undefined): Contact | undefined {
  return useContactStore((s) => (publicKey ? s.contacts[publicKey] : undefined))
}

/** What a person is called: their chosen name if they have one, else the alias from their key. */
export function contactName(contact: Pick<Contact, 'alias' | 'displayName'>): string {
  return contact.displayName ?? contact.alias
}
