// @vitest-environment jsdom
/** The media bin names who made a stock medium and its licence, linking to both; the user's own media show no credit. */
import { act, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AssetView } from '../../src/shared/types'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { ProjectEditor } from '../../src/renderer/src/components/projects/ProjectEditor'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const own: AssetView = { id: 'a1', projectId: 'promo', name: 'holiday.mp4', kind: 'video', path: '/data/projects/promo/assets/holiday.mp4', bytes: 10, createdAt: 1 }
const stock: AssetView = {
  id: 'a2',
  projectId: 'promo',
  name: 'pexels-1000.jpeg',
  kind: 'image',
  path: '/data/projects/promo/assets/pexels-1000.jpeg',
  bytes: 10,
  createdAt: 2,
  credit: { author: 'Ana Lee', authorUrl: 'https://www.pexels.com/@ana-lee', licence: 'Pexels License', licenceUrl: 'https://www.pexels.com/license/', sourceUrl: 'https://www.pexels.com/photo/octopus-1000/' }
}

describe('media bin credits', () => {
  it('shows "© author · licence · source" for a stock medium only, with links that open outside the app', async () => {
    getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 2, createdAt: 1 }])
    const fake = fakeApi({ 'assets/list': ok([own, stock]) })
    render(
      <ApiProvider api={fake.api}>
        <ProjectEditor />
      </ApiProvider>
    )
    await waitFor(() => expect(screen.getAllByTestId('asset')).toHaveLength(2))
    const credits = screen.getAllByTestId('asset-credit')
    expect(credits).toHaveLength(1)
    expect(credits[0]!.textContent).toBe('© Ana Lee · Pexels License · source')
    const links = [...credits[0]!.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.getAttribute('target')])
    expect(links).toEqual([
      ['https://www.pexels.com/license/', '_blank'],
      ['https://www.pexels.com/photo/octopus-1000/', '_blank']
    ])
    act(() => getStudio().setLocale('fr'))
    expect(screen.getByTestId('asset-credit').textContent).toBe('© Ana Lee · Pexels License · source')
  })
})
