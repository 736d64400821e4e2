import { permanent } from '../../errors'
import type { StudioServices } from '../../services'
import type { StepContext } from '../types'

/**
 * Seed 1: "Vérification automatique du contenu avec OpenAI Moderation" — when a moderation
 * provider is configured, the user's text is checked before a paid generation step spends money
 * on it. A flagged text fails the step for good (no retry) and names the categories.
 */
export async function moderateBeforePaidStep(ctx: StepContext<StudioServices>, text: string): Promise<void> {
  const { moderation, text: provider } = ctx.services.providers()
  if (moderation.offline || provider.offline) return
  const result = await moderation.check(text, { signal: ctx.signal })
  if (result.flagged) {
    const categories = Object.entries(result.categories)
      .filter(([, flagged]) => flagged)
      .map(([name]) => name)
    throw permanent(`the text was flagged by ${result.provider}${categories.length ? ` (${categories.join(', ')})` : ''}; nothing was generated`)
  }
  ctx.log(`text checked by ${result.provider}: not flagged`)
}
