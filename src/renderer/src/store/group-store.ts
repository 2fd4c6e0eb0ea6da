import { useEffect, useState } from 'react'
import type { ArgsOf, GroupInfo } from '../../../shared/api'
import type { ApiError } from '../../../shared/api/result'
import { hush } from '../api/hush'
import { useChatStore } from './chat-store'
import { contactName, useContactStore } from './contact-store'

type GroupAction = 'groups.accept' | 'groups.addMembers' | 'groups.removeMember' | 'groups.rename' | 'groups.makeAdmin' | 'groups.leave'

/** Creates a group and opens it. */
export async function createGroup(name: string, members: string[]): Promise<ApiError | null> {
  const result = await hush().call('groups.create', { name, members })
  if (!result.ok) return result.error
  await useChatStore.getState().selectChat(result.value.id)
  return null
}

/** One membership change of ours; main answers with the group as it now is, and chats.changed follows. */
export async function changeGroup<M extends GroupAction>(method: M, args: ArgsOf<M>): Promise<ApiError | null> {
  const result = await hush().call(method, args)
  return result.ok ? null : result.error
}

/** Declines an invitation: main leaves the group and removes the chat. */
export async function declineGroup(chatId: string): Promise<ApiError | null> {
  const result = await hush().call('groups.decline', { chatId })
  if (!result.ok) return result.error
  if (useChatStore.getState().activeChatId === chatId) await useChatStore.getState().selectChat(null)
  return null
}

/**
 * The members and roles of a group, read from main and read again whenever main reports the chat
 * changed (a membership event, a rename): the chat summary in the store is the change signal.
 */
export function useGroupInfo(chatId: string): { info: GroupInfo | null; error: ApiError | null } {
  const summary = useChatStore((s) => s.chats?.find((chat) => chat.id === chatId))
  const [state, setState] = useState<{ info: GroupInfo | null; error: ApiError | null }>({ info: null, error: null })
  useEffect(() => {
    // A declined or deleted group has nothing to read.
    if (!summary) return
    let live = true
    void hush()
      .call('groups.info', { chatId: summary.id })
      .then((result) => live && setState(result.ok ? { info: result.value, error: null } : { info: null, error: result.error }))
    return () => {
      live = false
    }
  }, [summary])
  return state
}

/** Names of keys that are not contacts (members we never talked to), asked from main once per key. */
const strangers = new Map<string, Promise<string>>()

/**
 * What to call the people a timeline line names: a contact's chosen name, else the alias main derives
 * from the key; the key's short form until main answers.
 */
export function usePeopleNames(publicKeys: readonly string[]): string[] {
  const contacts = useContactStore((s) => s.contacts)
  const [fetched, setFetched] = useState<Record<string, string>>({})
  const missing = publicKeys.filter((key) => !contacts[key] && fetched[key] === undefined)
  useEffect(() => {
    let live = true
    for (const key of missing) {
      let name = strangers.get(key)
      if (!name) {
        name = hush()
          .call('contacts.get', { publicKey: key })
          .then((result) => (result.ok ? contactName(result.value) : key.slice(0, 10)))
        strangers.set(key, name)
      }
      void name.then((value) => live && setFetched((before) => ({ ...before, [key]: value })))
    }
    return () => {
      live = false
    }
    // `missing` is derived from the keys and what is known; its contents are the dependency.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [missing.join(',')])
  return publicKeys.map((key) => (contacts[key] ? contactName(contacts[key]) : (fetched[key] ?? `${key.slice(0, 10)}…`)))
}
