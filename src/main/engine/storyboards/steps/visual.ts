import { FORMAT_SIZES, type Scene } from '../../../../shared/storyboard'
import { logEntry } from '../../../../shared/log-lines'
import { moderateBeforePaidStep, moderationFor } from '../../pipelines/builtin/moderation'
import type { StepDefinition, StepResult, StepTarget } from '../../pipelines/types'
import { SharpImageProvider } from '../../providers/sharp-image'
import type { ImageProvider } from '../../providers/types'
import type { StudioServices } from '../../services'
import { contentKey } from '../keys'
import { parseStepName, type RenderInput } from '../render-input'
import { cachedStep, renderInput, sceneOf, type Ctx } from './common'

/** Size asked of an image model: square, so one picture serves every format (segments crop it). */
const MODEL_IMAGE_SIZE = 1024
const titleCards = new SharpImageProvider()

/**
 * The key of a scene's picture. A generated one is keyed by prompt, seed and provider, so changing
 * the format reuses it; an offline card is drawn for the format, so its size is part of its key.
 * A project asset's picture is its content.
 */
export function visualKeyOf(input: RenderInput, scene: Scene, imageProvider: ImageProvider, assetSha?: string): string {
  const full = FORMAT_SIZES[input.settings.format]
  const v = scene.visual
  if (v.kind === 'asset') return contentKey('visual', { asset: assetSha ?? v.assetId })
  if (v.kind === 'title') return contentKey('visual', { title: v.text, size: full, provider: titleCards.id })
  return contentKey('visual', { prompt: v.prompt, seed: v.seed, provider: imageProvider.id, ...(imageProvider.offline ? { size: full } : {}) })
}

/** A scene's picture: a project asset as it is, a title card, or an image from the image provider. */
export const visualStep: StepDefinition<StudioServices> = {
  name: 'visual',
  title: 'Picture',
  resource: 'image',
  estimateMs: 800,
  provider: (ctx) => (isGenerated(ctx) ? ctx.services.providers().image.id : 'project-assets'),
  consults: (ctx) => (isGenerated(ctx) ? moderationFor(ctx.services, 'image') : []),
  async run(ctx: Ctx): Promise<StepResult> {
    const input = renderInput(ctx)
    const { scene, number } = sceneOf(ctx)
    const v = scene.visual
    if (v.kind === 'asset') {
      // The user's own file: nothing to make. Its hash keys the segments made from it.
      const asset = await ctx.services.artifacts.asset(ctx.projectId, v.assetId, ctx.services.binaries())
      ctx.log(logEntry('sceneVisualAsset', { scene: number, name: asset.name }))
      return {
        data: { key: visualKeyOf(input, scene, ctx.services.providers().image, asset.sha256), reused: true, paths: { source: asset.path }, media: asset.kind, durationSec: asset.durationSec },
        provider: 'project-assets'
      }
    }
    const full = FORMAT_SIZES[input.settings.format]
    if (v.kind === 'title') {
      return cachedStep(ctx, 'visual', visualKeyOf(input, scene, titleCards), number, async () => {
        const card = await titleCards.generate({ prompt: v.text || ' ', title: v.text || ' ', ...full }, { signal: ctx.signal, outPath: ctx.artifactPath('card.png') })
        return { data: { media: 'image' }, files: { source: card.path }, costUsd: 0, provider: card.provider }
      })
    }
    const provider = ctx.services.providers().image
    return cachedStep(ctx, 'visual', visualKeyOf(input, scene, provider), number, async () => {
      await moderateBeforePaidStep(ctx, 'image', v.prompt)
      const size = provider.offline ? full : { width: MODEL_IMAGE_SIZE, height: MODEL_IMAGE_SIZE }
      const image = await provider.generate(
        { prompt: v.prompt, ...size, style: 'cinematic', title: v.prompt },
        { signal: ctx.signal, outPath: ctx.artifactPath('picture.png') }
      )
      return { data: { media: 'image' }, files: { source: image.path }, costUsd: image.costUsd, costKnown: image.priceKnown, provider: image.provider }
    })
  }
}

/** Does this step's scene generate its picture (then the image provider's health gates it)? */
function isGenerated(ctx: StepTarget<StudioServices>): boolean {
  const { sceneId } = parseStepName(ctx.stepName ?? '')
  return (ctx.input as RenderInput).scenes.find((s) => s.id === sceneId)?.visual.kind === 'generated'
}
