// @vitest-environment jsdom
import { render, screen } from '@testing-library/react'
import { afterEach, expect, it, vi } from 'vitest'
import { useNow } from '../../src/renderer/src/components/common/hooks'

function Now() {
  return <span data-testid="now">{useNow()}</span>
}

afterEach(() => vi.useRealTimers())

it('the countdown clock catches up when a panel shows it again after a while with none on screen', () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
  vi.setSystemTime(1_000_000)
  const first = render(<Now />)
  first.unmount() // nothing shows a countdown: the shared timer stops
  vi.setSystemTime(1_000_000 + 5 * 60_000) // five minutes on another panel
  render(<Now />)
  // Not five minutes behind (an ETA counted from the old time would show five minutes too many).
  expect(Number(screen.getByTestId('now').textContent)).toBe(1_000_000 + 5 * 60_000)
})
