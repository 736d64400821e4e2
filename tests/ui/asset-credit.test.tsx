// @vitest-environment jsdom
/** The media bin names who made a stock medium and its licence, linking to both; the user's own media show no credit. */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AssetView } from '../../src/shared/types'
import type { StockSearchResult } from '../../src/shared/stock'
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

  it('searches Pexels from the bin (a narration is searched by its keywords) and adds an item, credited', async () => {
    getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 0, createdAt: 1 }])
    const found: StockSearchResult = {
      query: 'octopuses three hearts',
      keywords: ['octopuses', 'three', 'hearts'],
      keywordSource: 'offline',
      total: 1,
      items: [{ id: 1000, kind: 'photo', width: 6000, height: 4000, durationSec: null, previewUrl: 'https://images.pexels.com/photos/1000/a.jpeg?h=350', pageUrl: 'https://www.pexels.com/photo/octopus-1000/', author: 'Ana Lee', authorUrl: null, alt: 'Octopus' }]
    }
    const fake = fakeApi({ 'assets/list': ok([]), 'stock/search': ok(found), 'stock/import': ok(stock) })
    render(
      <ApiProvider api={fake.api}>
        <ProjectEditor />
      </ApiProvider>
    )
    await waitFor(() => expect(fake.of('assets/list')).toHaveLength(1))
    fireEvent.click(screen.getByTestId('stock-open'))
    const dialog = screen.getByTestId('stock-search')
    fireEvent.change(within(dialog).getByTestId('stock-query'), { target: { value: 'Why do octopuses have three hearts?' } })
    fireEvent.click(within(dialog).getByTestId('stock-go'))
    await waitFor(() => expect(within(dialog).getAllByTestId('stock-item')).toHaveLength(1))
    expect(fake.of('stock/search')).toEqual([{ projectId: 'promo', kind: 'photo', count: 12, sceneText: 'Why do octopuses have three hearts?' }])
    expect(within(dialog).getByTestId('stock-searched').textContent).toBe('Results for the keywords “octopuses three hearts”')
    fireEvent.click(within(dialog).getByTestId('stock-add'))
    await waitFor(() => expect(getStudio().assets.promo?.map((a) => a.id)).toEqual(['a2']))
    expect(fake.of('stock/import')).toEqual([{ projectId: 'promo', id: 1000, kind: 'photo' }])
    await waitFor(() => expect(screen.getByTestId('asset-credit').textContent).toBe('© Ana Lee · Pexels License · source'))
  })
})
