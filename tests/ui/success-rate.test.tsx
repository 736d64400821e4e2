// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { ProviderPanel } from '../../src/renderer/src/components/providers/ProviderPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, provider, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const successCard = () => screen.getByText('Success 24 h', { selector: '.card-label' }).closest<HTMLElement>('.card')!

describe('rates', () => {
  it('one failure among two thousand jobs does not read as a 100 % success, nor a provider with one failed call in 5000', () => {
    getStudio().setProviders([provider({ provider: 'openai:gpt-4o-mini', successRate24h: 4999 / 5000, calls24h: 5000 })])
    getStudio().setStats(stats({ byStatus: { pending: 0, processing: 0, paused: 0, completed: 2014, failed: 1, cancelled: 0 }, successRate24h: 2014 / 2015, finished24h: 2015 }))
    render(
      <ApiProvider api={fakeApi().api}>
        <ProviderPanel />
      </ApiProvider>
    )
    const card = successCard()
    expect(within(card).getByText('99.9%')).toBeTruthy()
    expect(within(screen.getByTestId('provider-row')).getByText('99.9%')).toBeTruthy()
  })

  it('all or nothing still reads 100 % and 0 %', () => {
    getStudio().setProviders([provider({ provider: 'local', successRate24h: 0, calls24h: 3 })])
    getStudio().setStats(stats({ byStatus: { pending: 0, processing: 0, paused: 0, completed: 9, failed: 0, cancelled: 0 }, successRate24h: 1, finished24h: 9 }))
    render(
      <ApiProvider api={fakeApi().api}>
        <ProviderPanel />
      </ApiProvider>
    )
    expect(within(successCard()).getByText('100%')).toBeTruthy()
    expect(within(screen.getByTestId('provider-row')).getByText('0%')).toBeTruthy()
  })
})
