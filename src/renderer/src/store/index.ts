import { useStore } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'
import { createStore } from 'zustand/vanilla'
import {
  createBatchesSlice,
  createJobsSlice,
  createProjectsSlice,
  createProvidersSlice,
  createQueueSlice,
  createRouterSlice,
  createSettingsSlice,
  createUiSlice,
  initialData
} from './slices'
import { createStoryboardsSlice } from './storyboards'
import type { StudioState } from './types'

export type { StudioState } from './types'

/**
 * One store built from slices. Middleware lives here only: `persist` keeps the user's interface
 * preferences (theme, language, docked queue) and nothing the engine owns.
 */
export const studioStore = createStore<StudioState>()(
  persist(
    (...a) => ({
      ...createJobsSlice(...a),
      ...createQueueSlice(...a),
      ...createProvidersSlice(...a),
      ...createBatchesSlice(...a),
      ...createProjectsSlice(...a),
      ...createSettingsSlice(...a),
      ...createUiSlice(...a),
      ...createRouterSlice(...a),
      ...createStoryboardsSlice(...a)
    }),
    {
      name: 'creative-studio.ui',
      version: 1,
      storage: createJSONStorage(() => window.localStorage),
      partialize: (s) => ({ theme: s.theme, locale: s.locale, queueDockOpen: s.queueDockOpen })
    }
  )
)

/** One selector per component; use `useShallow` around selectors that build arrays or objects. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector)
}

/** Back to a fresh state (tests, sign-out). Actions are kept. */
export function resetStudio(): void {
  studioStore.setState(initialData())
}

export const getStudio = (): StudioState => studioStore.getState()
