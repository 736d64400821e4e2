/** Optional content check before generation (seed 1: "Blocage des prompts inappropriés"). */
import { retryable } from '../errors'
import { OpenAIConnection, type OpenAIEndpointConfig } from './openai-connection'
import type { ModerationProvider, ModerationResult } from './types'

export class OpenAIModerationProvider implements ModerationProvider {
  readonly offline = false
  readonly #connection: OpenAIConnection

  constructor(config: OpenAIEndpointConfig) {
    this.#connection = new OpenAIConnection(config)
  }

  get id(): string {
    return this.#connection.id
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.#connection.probe(signal)
  }

  async check(text: string | readonly string[], options: { signal?: AbortSignal } = {}): Promise<ModerationResult> {
    const connection = this.#connection
    let results
    try {
      const response = await connection.client.moderations.create(
        { model: connection.model, input: typeof text === 'string' ? text : [...text] },
        options.signal ? { signal: options.signal } : {}
      )
      results = response?.results
    } catch (err) {
      throw connection.fail(err, options.signal)
    }
    if (!results?.length) throw retryable(`${connection.id}: the moderation response had no results`, { provider: connection.id })
    // One result per input: the texts are flagged when any one is, under every category that flagged one.
    const categories: Record<string, boolean> = {}
    for (const result of results) {
      for (const [name, flagged] of Object.entries(result?.categories ?? {})) {
        if (typeof flagged === 'boolean') categories[name] = categories[name] === true || flagged
      }
    }
    return { flagged: results.some((r) => Boolean(r?.flagged)), categories, provider: connection.id }
  }
}

/** No moderation configured: everything passes. Explicit, so the UI can say moderation is off. */
export class NoModerationProvider implements ModerationProvider {
  readonly id = 'moderation-off'
  readonly offline = true
  async probe(): Promise<void> {}
  async check(): Promise<ModerationResult> {
    return { flagged: false, categories: {}, provider: this.id }
  }
}
