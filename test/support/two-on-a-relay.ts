/*
 * "Two people on a relay", for either cast: in process (test/support/core-people.ts) or across processes
 * (test/integration/people.ts). Each cast says how it starts a relay, makes a person and opens a chat; the
 * order of the steps, which the tests depend on, is kept here once.
 */

export interface Cast<Relay, Person> {
  startRelay(): Promise<Relay>
  /** A person with an account on `relay`, its first history sync done. */
  join(relay: Relay, name: string): Promise<Person>
  publicKey(person: Person): string
  /** Opens a 1:1 chat with `publicKey` and waits for the history fetch that opening starts. */
  startChat(person: Person, publicKey: string): Promise<void>
}

export interface Pair<Relay, Person> {
  relay: Relay
  alice: Person
  bob: Person
}

/**
 * A relay (also the mailserver), Alice and Bob; with `chats` (the default) each has a 1:1 chat with the
 * other, Bob's opened first: Alice's messages then land in their chat and not among his message requests,
 * and Alice, fetching Bob's bundle advertisement when she opens hers, can write with X3DH at once.
 */
export async function twoOnARelay<Relay, Person>(cast: Cast<Relay, Person>, options: { chats?: boolean } = {}): Promise<Pair<Relay, Person>> {
  const relay = await cast.startRelay()
  const alice = await cast.join(relay, 'Alice')
  const bob = await cast.join(relay, 'Bob')
  if (options.chats ?? true) {
    await cast.startChat(bob, cast.publicKey(alice))
    await cast.startChat(alice, cast.publicKey(bob))
  }
  return { relay, alice, bob }
}
