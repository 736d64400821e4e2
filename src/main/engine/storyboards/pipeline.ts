import type { z } from 'zod'
import type { PipelineDefinition } from '../pipelines/types'
import type { StudioServices } from '../services'
import { planRenderSteps, RenderInput } from './render-input'
import { assembleStep } from './steps/assemble'
import { musicStep } from './steps/music'
import { segmentStep } from './steps/segment'
import { visualStep } from './steps/visual'
import { voiceStep } from './steps/voice'

/**
 * A storyboard render: steps per scene (voice, picture, segment), then the music and the
 * assembly. Every step is keyed by its inputs' content (see keys.ts), so a render after an edit
 * runs only what the edit changed; segments run side by side within the ffmpeg limit.
 */
export const storyboardPipeline: PipelineDefinition<StudioServices> = {
  name: 'storyboard',
  title: 'Storyboard render',
  input: RenderInput as unknown as z.ZodType<Record<string, unknown>>,
  steps: [voiceStep, visualStep, segmentStep, musicStep, assembleStep],
  plan: (input) => planRenderSteps(input as RenderInput),
  internal: true
}
