/**
 * What a call costs, in USD, computed from what the call consumed (tokens, characters, images,
 * seconds of audio) and a per-model price table. Prices change: the table is a default the user
 * overrides in settings (`pricing`), and a model we do not know costs 0 with `priceKnown: false`
 * so the UI can say "unknown cost" instead of pretending it was free.
 */
import { z } from 'zod'
import type { Cost } from './types'

export const ModelPrice = z.discriminatedUnion('unit', [
  /** Chat / completion models: USD per million input and output tokens. */
  z.strictObject({ unit: z.literal('tokens'), inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }),
  /** Character-billed speech (tts-1): USD per million input characters. */
  z.strictObject({ unit: z.literal('characters'), perMChar: z.number().nonnegative() }),
  /** Per generated image; `bySize` ("1024x1792") overrides `perImage` for specific sizes. */
  z.strictObject({ unit: z.literal('images'), perImage: z.number().nonnegative(), bySize: z.record(z.string(), z.number().nonnegative()).optional() }),
  /** Audio billed by produced duration: USD per minute. */
  z.strictObject({ unit: z.literal('audio-minutes'), perMinute: z.number().nonnegative() }),
  /** Billed per request whatever it produces (a music generation, a stock search). */
  z.strictObject({ unit: z.literal('requests'), perRequest: z.number().nonnegative() }),
  /** Free endpoints (moderation). */
  z.strictObject({ unit: z.literal('free') })
])
export type ModelPrice = z.infer<typeof ModelPrice>

export const PriceOverrides = z.record(z.string().min(1), ModelPrice)
export type PriceOverrides = z.infer<typeof PriceOverrides>

/** OpenAI list prices (USD) for standard processing, as published in 2025. Override in settings when they change. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { unit: 'tokens', inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { unit: 'tokens', inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { unit: 'tokens', inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gpt-4.1': { unit: 'tokens', inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { unit: 'tokens', inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { unit: 'tokens', inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { unit: 'tokens', inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { unit: 'tokens', inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4-turbo': { unit: 'tokens', inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-4': { unit: 'tokens', inputPerMTok: 30, outputPerMTok: 60 },
  'gpt-3.5-turbo': { unit: 'tokens', inputPerMTok: 0.5, outputPerMTok: 1.5 },
  'dall-e-3': { unit: 'images', perImage: 0.04, bySize: { '1024x1792': 0.08, '1792x1024': 0.08 } },
  'dall-e-2': { unit: 'images', perImage: 0.02, bySize: { '512x512': 0.018, '256x256': 0.016 } },
  // gpt-image-1 is token-billed; this is the published per-image estimate at medium quality.
  'gpt-image-1': { unit: 'images', perImage: 0.042, bySize: { '1024x1536': 0.063, '1536x1024': 0.063 } },
  'tts-1': { unit: 'characters', perMChar: 15 },
  'tts-1-hd': { unit: 'characters', perMChar: 30 },
  // Token-billed; OpenAI's own estimate is ~$0.015 per minute of audio.
  'gpt-4o-mini-tts': { unit: 'audio-minutes', perMinute: 0.015 },
  // ElevenLabs API list prices per 1 000 characters (2025): multilingual and v3 $0.10, flash/turbo $0.05.
  eleven_multilingual_v2: { unit: 'characters', perMChar: 100 },
  eleven_v3: { unit: 'characters', perMChar: 100 },
  eleven_flash_v2_5: { unit: 'characters', perMChar: 50 },
  eleven_turbo_v2_5: { unit: 'characters', perMChar: 50 },
  // suno-api spends the account's credits: 10 credits per generation, ~$0.04 on the Pro plan.
  suno: { unit: 'requests', perRequest: 0.04 },
  'omni-moderation-latest': { unit: 'free' },
  'text-moderation-latest': { unit: 'free' }
}

export interface Usage {
  inputTokens?: number
  outputTokens?: number
  characters?: number
  images?: number
  imageSize?: string
  audioSeconds?: number
  requests?: number
}

const UNKNOWN: Cost = { costUsd: 0, priceKnown: false }

export class PriceTable {
  readonly #prices: ReadonlyMap<string, ModelPrice>

  constructor(overrides: PriceOverrides = {}) {
    this.#prices = new Map(Object.entries({ ...DEFAULT_PRICES, ...PriceOverrides.parse(overrides) }))
  }

  /**
   * Exact model name first, then the longest known prefix followed by "-" (so dated snapshots
   * like "gpt-4o-mini-2024-07-18" price as "gpt-4o-mini", never as "gpt-4o").
   */
  priceOf(model: string): ModelPrice | undefined {
    const exact = this.#prices.get(model)
    if (exact) return exact
    let best: [string, ModelPrice] | undefined
    for (const entry of this.#prices) {
      if (model.startsWith(`${entry[0]}-`) && (!best || entry[0].length > best[0].length)) best = entry
    }
    return best?.[1]
  }

  cost(model: string, usage: Usage): Cost {
    const price = this.priceOf(model)
    if (!price) return UNKNOWN
    switch (price.unit) {
      case 'free':
        return { costUsd: 0, priceKnown: true }
      case 'tokens':
        return known(((usage.inputTokens ?? 0) * price.inputPerMTok + (usage.outputTokens ?? 0) * price.outputPerMTok) / 1e6)
      case 'characters':
        return known(((usage.characters ?? 0) * price.perMChar) / 1e6)
      case 'images': {
        const each = (usage.imageSize ? price.bySize?.[usage.imageSize] : undefined) ?? price.perImage
        return known((usage.images ?? 1) * each)
      }
      case 'audio-minutes':
        return known(((usage.audioSeconds ?? 0) / 60) * price.perMinute)
      case 'requests':
        return known((usage.requests ?? 1) * price.perRequest)
    }
  }
}

/** Rounded to 1e-10 USD: hides floating point noise (0.30000000000000004) without losing tiny per-call costs. */
function known(usd: number): Cost {
  return { costUsd: Math.round(usd * 1e10) / 1e10, priceKnown: true }
}
