import { z } from 'zod'
import { STORYBOARD_FORMATS } from '../../../shared/storyboard'
import { permanent } from '../errors'
import { paidBy } from '../pipelines/builtin/moderation'
import type { PipelineDefinition, StepContext } from '../pipelines/types'
import type { StudioServices } from '../services'

export const StoryboardIdeaInput = z.strictObject({
  idea: z.string().trim().min(3, 'idea is too short (3 characters at least)').max(2_000, 'idea is too long (2000 characters at most)'),
  language: z.enum(['en', 'fr'], { error: 'language must be en or fr' }).default('en'),
  lengthSec: z.number().int().min(10).max(600).default(45),
  format: z.enum(STORYBOARD_FORMATS, { error: 'format must be 9:16, 16:9 or 1:1' }).default('9:16'),
  /** Queue its render at once; otherwise it waits in the project for review. */
  render: z.boolean().default(false),
  /** Where the job came from (batch row...), kept with the job. */
  meta: z.record(z.string(), z.unknown()).optional()
})
type StoryboardIdeaInput = z.output<typeof StoryboardIdeaInput>

/**
 * A storyboard from an idea, as a job: what a batch makes of each row when its pipeline is
 * `storyboard-idea` — a storyboard per row, in the project, for review (or rendered at once).
 * The storyboard's id comes from the job's, so a retry finds the one it made.
 */
export const storyboardIdeaPipeline: PipelineDefinition<StudioServices> = {
  name: 'storyboard-idea',
  title: 'Storyboard from an idea',
  mainField: 'idea',
  input: StoryboardIdeaInput as unknown as z.ZodType<Record<string, unknown>>,
  steps: [
    {
      name: 'storyboard',
      title: 'Write the storyboard',
      resource: 'llm',
      estimateMs: 4_000,
      ...paidBy('text'),
      async run(ctx: StepContext<StudioServices>) {
        const service = ctx.services.storyboardService
        if (!service) throw permanent('storyboards are not available in this engine')
        const i = ctx.input as StoryboardIdeaInput
        const id = `sb-${ctx.jobId}`
        const board = await service.create(
          { id, projectId: ctx.projectId, from: { kind: 'idea', idea: i.idea, lengthSec: i.lengthSec }, settings: { format: i.format, language: i.language } },
          ctx.signal
        )
        let renderJobId: string | null = board.renders[0]?.jobId ?? null
        if (i.render && !renderJobId) renderJobId = (await service.render({ id })).job.id
        return { data: { storyboardId: id, scenes: board.scenes.length, renderJobId }, provider: ctx.services.providers().text.id }
      }
    }
  ]
}
