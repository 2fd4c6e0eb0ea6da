import { secp256k1 } from '@noble/curves/secp256k1.js'
import { initHashing } from '../src/main/core/primitives/keccak'
import { publicKeyOf } from '../src/main/core/primitives/secp256k1'
import { chatKeyId } from '../src/main/core/protocol/chat-matching'
import { changeGroup, createGroup } from '../src/main/core/protocol/group-changes'
import { MAX_GROUP_EVENTS, MAX_GROUP_SIZE } from '../src/main/core/protocol/group-limits'
import { applyMembershipUpdate, type GroupState } from '../src/main/core/protocol/group-state'
import { rate } from './measure'
import type { BenchResult, BenchSuite } from './result'

/*
 * Receiving a group message costs one signature recovery per event not seen before; a repeated history
 * is matched byte for byte against the stored group. These figures bound what one group message costs a
 * receiver: the first one of a full group, every later one, and the worst a hostile sender can force.
 */

function fullGroup(): { state: GroupState; keys: Uint8Array[] } {
  const keys = Array.from({ length: MAX_GROUP_SIZE }, () => secp256k1.utils.randomSecretKey())
  const created = createGroup({
    name: 'bench',
    members: keys.slice(1).map((k) => chatKeyId(publicKeyOf(k, false))),
    creatorKey: keys[0]!,
    clock: 1_000n,
    random: (n) => new Uint8Array(n).fill(9)
  })
  if (!created.ok) throw new Error(created.detail)
  let state = created.state
  for (const key of keys.slice(1)) {
    const joined = changeGroup(state, { kind: 'join' }, key, state.lastClock + 1n)
    if (!joined.ok) throw new Error(joined.detail)
    state = joined.state
  }
  return { state, keys }
}

export const suite: BenchSuite = {
  title: 'Private group updates (group-state.ts)',
  async run(): Promise<BenchResult[]> {
    await initHashing()
    const { state, keys } = fullGroup()
    const update = { chatId: state.id, events: state.events.map((e) => e.raw) }
    const ownId = chatKeyId(publicKeyOf(keys[1]!, false))
    const nowMs = 1_000_000
    const apply = (current: GroupState | null) => {
      const result = applyMembershipUpdate(current, update, { ownId, nowMs })
      if (!result.ok) throw new Error(result.detail)
    }
    // One event short of the stored history: the message brings exactly one new event.
    const older = { chatId: state.id, events: update.events.slice(0, -1) }
    const behind = applyMembershipUpdate(null, older, { ownId, nowMs })
    if (!behind.ok) throw new Error(behind.detail)

    const firstRate = rate(1500, () => apply(null), 1)
    const knownRate = rate(1500, () => apply(state), 10)
    const oneNewRate = rate(1500, () => apply(behind.state), 5)
    const events = state.events.length
    return [
      {
        name: `first message of a ${MAX_GROUP_SIZE}-member group (${events} events, all recovered)`,
        value: 1000 / firstRate,
        unit: 'ms'
      },
      { name: `later message, history already known (${events} events)`, value: 1000 / knownRate, unit: 'ms' },
      { name: `later message with one new event (${events} events)`, value: 1000 / oneNewRate, unit: 'ms' },
      {
        name: `worst case, a ${MAX_GROUP_EVENTS}-event history never seen (estimated)`,
        value: (1000 / firstRate / events) * MAX_GROUP_EVENTS,
        unit: 'ms',
        note: 'per-event cost of the first message × MAX_GROUP_EVENTS'
      }
    ]
  }
}
