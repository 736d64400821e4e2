// @vitest-environment jsdom
import { act, fireEvent, render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { ProviderPanel } from '../../src/renderer/src/components/providers/ProviderPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, provider, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

function mount() {
  render(
    <ApiProvider api={fakeApi().api}>
      <ProviderPanel />
    </ApiProvider>
  )
}

describe('an alert that clears', () => {
  it('a replaced provider, still down with a bad day behind it, raises no alert and says it is no longer used', () => {
    getStudio().setLocale('en')
    getStudio().setStats(stats({ successRate24h: 1, finished24h: 20 }))
    getStudio().setProviders([
      provider({ provider: 'openai:dead', state: 'open', successRate24h: 0, calls24h: 40, recentCalls: 20, recentFailureRate: 1, inUse: false }),
      provider({ provider: 'openai:new', successRate24h: 1, calls24h: 8, recentCalls: 8, recentFailureRate: 0 })
    ])
    mount()
    expect(screen.queryByTestId('failure-alert')).toBeNull()
    expect(screen.getByTestId('provider-unused').textContent).toContain('no longer used')
  })

  it('a provider in use is judged on its recent calls, not on the whole day', () => {
    getStudio().setLocale('en')
    getStudio().setStats(stats({ successRate24h: 1, finished24h: 20 }))
    // A bad morning, twenty good calls since.
    getStudio().setProviders([provider({ provider: 'openai:a', successRate24h: 0.6, calls24h: 50, recentCalls: 20, recentFailureRate: 0 })])
    mount()
    expect(screen.queryByTestId('failure-alert')).toBeNull()
  })

  it('the banner can be dismissed, and comes back when something else goes wrong', () => {
    getStudio().setLocale('en')
    getStudio().setStats(stats({ successRate24h: 1, finished24h: 20 }))
    getStudio().setProviders([provider({ provider: 'openai:a', recentCalls: 10, recentFailureRate: 0.5 })])
    mount()
    expect(screen.getByTestId('failure-alert').textContent).toContain('openai:a')
    expect(screen.getByTestId('failure-alert').textContent).toContain('20%')
    fireEvent.click(screen.getByTestId('dismiss-alert'))
    expect(screen.queryByTestId('failure-alert')).toBeNull()
    act(() =>
      getStudio().setProviders([
        provider({ provider: 'openai:a', recentCalls: 10, recentFailureRate: 0.5 }),
        provider({ provider: 'openai:b', recentCalls: 10, recentFailureRate: 0.9 })
      ])
    )
    expect(screen.getByTestId('failure-alert').textContent).toContain('openai:b')
  })
})
