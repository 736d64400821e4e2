// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { NewJobDialog } from '../../src/renderer/src/components/queue/NewJobDialog'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())
afterEach(() => getStudio().setLocale('en'))

/** The pipelines as the engine names them: in English, whatever the user's language. */
const ENGINE_PIPELINES = [
  { name: '3d', title: 'Model a 3D object', mainField: 'prompt', fields: ['prompt'], steps: [{ name: 'generate', title: 'Model a 3D object', resource: 'llm' }] },
  {
    name: 'video',
    title: 'Video from an idea',
    mainField: 'idea',
    fields: ['idea', 'language'],
    steps: [
      { name: 'script', title: 'Write the script', resource: 'llm' },
      { name: 'adapt', title: 'Adapt for speech', resource: 'cpu' },
      { name: 'audio', title: 'Record the narration', resource: 'tts' },
      { name: 'visuals', title: 'Make the visuals', resource: 'image' },
      { name: 'video', title: 'Render the video', resource: 'ffmpeg' }
    ]
  }
]

describe('new job dialog in French', () => {
  it('names the job types and their steps in French, not with the engine\'s English titles', () => {
    const s = getStudio()
    s.setLocale('fr')
    s.setPipelines(ENGINE_PIPELINES)
    render(
      <ApiProvider api={fakeApi().api}>
        <NewJobDialog />
      </ApiProvider>
    )
    const type = screen.getByTestId('job-type') as HTMLSelectElement
    expect([...type.options].map((o) => o.textContent)).toEqual(['Modèle 3D (3d)', 'Vidéo (video)'])
    expect(screen.queryByText(/Model a 3D object/)).toBeNull()
    // It opens on a video, the app's main job, not on the first type of the list.
    expect(type.value).toBe('video')
    fireEvent.change(type, { target: { value: '3d' } })
    fireEvent.change(type, { target: { value: 'video' } })
    expect(screen.getByText('Écrire le script → Adapter pour la voix → Enregistrer la narration → Créer les visuels → Rendre la vidéo')).toBeTruthy()
  })
})
