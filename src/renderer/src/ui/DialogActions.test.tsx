import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DialogActions } from './DialogActions'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean
}

let container: HTMLDivElement
let root: Root
beforeEach(() => {
  globalThis.IS_REACT_ACT_ENVIRONMENT = true
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
})
afterEach(() => {
  act(() => root.unmount())
  container.remove()
})

const buttons = () => [...container.querySelectorAll('button')]

describe('DialogActions', () => {
  it('puts Cancel first and the submit button last, with its test id, and only Cancel calls onCancel', () => {
    const onCancel = vi.fn<() => void>()
    const onSubmit = vi.fn<(event: SubmitEvent) => void>((event) => event.preventDefault())
    act(() =>
      root.render(
        <form onSubmit={(event) => onSubmit(event.nativeEvent as SubmitEvent)}>
          <DialogActions onCancel={onCancel} submit={{ label: 'Create', testId: 'group-create' }} />
        </form>
      )
    )
    expect(buttons().map((b) => [b.textContent, b.type])).toEqual([
      ['Cancel', 'button'],
      ['Create', 'submit']
    ])
    expect(buttons()[1]!.dataset.testid).toBe('group-create')
    act(() => buttons()[0]!.click())
    expect(onCancel).toHaveBeenCalledTimes(1)
    expect(onSubmit).not.toHaveBeenCalled()
    act(() => buttons()[1]!.click())
    expect(onSubmit).toHaveBeenCalledTimes(1)
    expect(onCancel).toHaveBeenCalledTimes(1)
  })

  it('offers only Close where there is nothing to confirm, and a disabled submit cannot be pressed', () => {
    act(() => root.render(<DialogActions leave="close" onCancel={() => undefined} />))
    expect(buttons().map((b) => b.textContent)).toEqual(['Close'])
    act(() => root.render(<DialogActions compact onCancel={() => undefined} submit={{ label: 'Save', disabled: true }} />))
    expect(container.firstElementChild!.className).toBe('actions tight')
    expect(buttons()[1]!.disabled).toBe(true)
    expect(buttons().every((b) => b.className.endsWith(' small'))).toBe(true)
  })
})
