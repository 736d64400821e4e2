// @vitest-environment jsdom
import { act, render } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { App } from '../../src/renderer/src/components/App'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())
afterEach(() => getStudio().setLocale('en'))

const statusBar = () => [...document.querySelectorAll('.statusbar > span')].map((s) => s.textContent)

describe('status bar', () => {
  it('counts jobs in good English and French: "1 job", "2,015 jobs", "2 015 jobs"', () => {
    getStudio().setJobs([])
    getStudio().setStats(stats({ total: 1 }))
    render(
      <ApiProvider api={fakeApi().api}>
        <App />
      </ApiProvider>
    )
    expect(statusBar()).toContain('1 job')
    act(() => getStudio().setStats(stats({ total: 2015 })))
    expect(statusBar()).toContain('2,015 jobs')
    act(() => getStudio().setLocale('fr'))
    expect(statusBar()).toContain('2\u202f015 tâches')
  })
})
