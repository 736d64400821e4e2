import { permanent } from '../../errors'
import type { StudioServices } from '../../services'
import type { StepContext, StepDefinition } from '../types'
import { logEntry } from '../../../../shared/log-lines'

/** The kinds of provider a step pays for; moderation guards each of them. */
export type PaidKind = 'text' | 'image' | 'speech'

/**
 * The moderation provider a step of `kind` consults, as a list for StepDefinition.consults: empty
 * when moderation is off or when that step's own provider is offline (nothing is paid, nothing
 * leaves the machine, so nothing is checked).
 */
export function moderationFor(services: StudioServices, kind: PaidKind): string[] {
  const set = services.providers()
  return set.moderation.offline || set[kind].offline ? [] : [set.moderation.id]
}

/** A step that pays a `kind` provider: its circuit breaker is that provider's, and moderation is consulted first. */
export function paidBy(kind: PaidKind): Pick<StepDefinition<StudioServices>, 'provider' | 'consults'> {
  return {
    provider: (ctx) => ctx.services.providers()[kind].id,
    consults: (ctx) => moderationFor(ctx.services, kind)
  }
}

/** What a provider's answer tells the checkpoint: its cost (unknown when the model is unpriced) and who ran. */
export function billing(r: { costUsd: number; priceKnown: boolean; provider: string }): { cost: number; costKnown: boolean; provider: string } {
  return { cost: r.costUsd, costKnown: r.priceKnown, provider: r.provider }
}

/**
 * Seed 1: "Vérification automatique du contenu avec OpenAI Moderation" — when a moderation
 * provider is configured, the text about to be sent to a paid provider (an idea, an image prompt,
 * a narration) is checked before the call spends money on it. Gated by the provider of the step
 * that would pay, so an offline image step is never held up by moderation. A flagged text fails
 * the step for good (no retry) and names the categories. Errors keep the moderation provider's
 * id, so an outage waits on its circuit breaker, not on the paid provider's (see consults).
 */
export async function moderateBeforePaidStep(ctx: StepContext<StudioServices>, kind: PaidKind, texts: string | readonly string[]): Promise<void> {
  if (moderationFor(ctx.services, kind).length === 0) return
  const input = (typeof texts === 'string' ? [texts] : [...texts]).filter((t) => t.trim())
  if (input.length === 0) return
  const result = await ctx.services.providers().moderation.check(input.length === 1 ? input[0]! : input, { signal: ctx.signal })
  if (result.flagged) {
    const categories = Object.entries(result.categories)
      .filter(([, flagged]) => flagged)
      .map(([name]) => name)
    throw permanent(`the text was flagged by ${result.provider}${categories.length ? ` (${categories.join(', ')})` : ''}; nothing was generated`)
  }
  ctx.log(logEntry(input.length > 1 ? 'moderatedMany' : 'moderatedOne', { count: input.length, provider: result.provider, kind }))
}
