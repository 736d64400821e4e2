/**
 * jsdom has no layout: give elements a size so the virtualized lists render rows, like a
 * 1200×800 window would.
 */
import { afterEach, vi } from 'vitest'
import { cleanup } from '@testing-library/react'
import { resetStudio } from '../../src/renderer/src/store'

export function installLayout(height = 800): void {
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
    return { x: 0, y: 0, top: 0, left: 0, bottom: height, right: 1200, width: 1200, height, toJSON: () => ({}) } as DOMRect
  })
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => height })
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1200 })
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height })
  if (!('scrollTo' in Element.prototype)) (Element.prototype as unknown as { scrollTo: () => void }).scrollTo = () => {}
  window.requestAnimationFrame ??= ((cb: FrameRequestCallback) => setTimeout(() => cb(performance.now()), 0) as unknown as number) as never
}

afterEach(() => {
  cleanup()
  resetStudio()
  vi.restoreAllMocks()
})
