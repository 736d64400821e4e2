/**
 * One configured OpenAI(-compatible) endpoint: the real `openai` client, the provider id, the
 * price table and the health probe. Text, image, speech and moderation providers each own one.
 * The same code talks to api.openai.com and to local servers (Ollama, LM Studio, llama.cpp,
 * vLLM...), which need no key.
 */
import type OpenAI from 'openai'
import { StepError } from '../errors'
import { toStepError } from './openai-errors'
import { openaiSdk } from './openai-sdk'
import { PriceTable, type Usage } from './pricing'
import type { Cost } from './types'

/** Sent when no key is configured: local servers ignore the Authorization header, and the client refuses to start without one. */
export const PLACEHOLDER_API_KEY = 'no-key-configured'

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1'

export interface OpenAIEndpointConfig {
  baseURL?: string | undefined
  model: string
  /** The key itself. Comes from the environment or the app's secret store, never from saved settings. */
  apiKey?: string | undefined
  /** Label in provider ids ("ollama" → "ollama:llama3.2"). Defaults to "openai" or the server's host:port. */
  name?: string | undefined
  /** Per-request timeout (until response headers; streams use it as an idle timeout). */
  timeoutMs?: number | undefined
  /** Timeout of the health probe (GET /models). */
  probeTimeoutMs?: number | undefined
  prices?: PriceTable | undefined
  /**
   * The server does not charge (a model on this computer, say): every call costs $0, and that
   * is a known cost whatever the model, even one the price table prices.
   */
  free?: boolean | undefined
}

export function defaultEndpointName(baseURL: string): string {
  const url = new URL(baseURL)
  return url.hostname === 'api.openai.com' ? 'openai' : url.host
}

export class OpenAIConnection {
  #client: OpenAI | undefined
  readonly id: string
  readonly model: string
  readonly baseURL: string
  readonly timeoutMs: number
  readonly prices: PriceTable
  readonly free: boolean
  readonly hasKey: boolean
  readonly #probeTimeoutMs: number
  // Kept only to scrub it from error messages; # fields never show up in JSON.stringify or listings.
  readonly #apiKey: string | undefined

  constructor(config: OpenAIEndpointConfig) {
    this.baseURL = (config.baseURL ?? DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '')
    this.model = config.model
    this.id = `${config.name ?? defaultEndpointName(this.baseURL)}:${config.model}`
    this.timeoutMs = config.timeoutMs ?? 120_000
    this.#probeTimeoutMs = config.probeTimeoutMs ?? 5_000
    this.prices = config.prices ?? new PriceTable()
    this.free = config.free ?? false
    this.hasKey = Boolean(config.apiKey)
    this.#apiKey = config.apiKey || undefined
  }

  /** The `openai` client, made on first use (loading the SDK then). */
  get client(): OpenAI {
    return (this.#client ??= new (openaiSdk().OpenAI)({
      apiKey: this.#apiKey || PLACEHOLDER_API_KEY,
      baseURL: this.baseURL,
      // The engine owns retries (per step, with backoff and circuit breakers): the client must not retry behind its back.
      maxRetries: 0,
      timeout: this.timeoutMs,
      // Explicit nulls stop the client from picking up OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment.
      organization: null,
      project: null,
      // The client's own logger could print request details; errors reach the user through StepError only.
      logLevel: 'off'
    }))
  }

  /** What a call to `model` that consumed `usage` cost: $0 (known) on a free endpoint, else the price table's answer. */
  cost(model: string, usage: Usage): Cost {
    return this.free ? { costUsd: 0, priceKnown: true } : this.prices.cost(model, usage)
  }

  /** Map anything thrown during a call to a StepError carrying this provider's id. */
  fail(err: unknown, signal?: AbortSignal): StepError {
    return toStepError(err, { provider: this.id, signal, secrets: [this.#apiKey], hasKey: this.hasKey, timeoutMs: this.timeoutMs })
  }

  /**
   * GET /models with a short timeout. Any answer from the server means it is up, except:
   * 401/403 (permanent: the key is wrong, retrying will not fix it), 429 (retryable, with
   * Retry-After) and 5xx (503/502 provider-unavailable, others retryable). A 404 is fine: some
   * compatible servers have no /models but serve completions.
   * Connection refused, DNS failure or timeout → provider-unavailable: nothing is answering, so
   * jobs should wait for the circuit breaker rather than burn their retries.
   */
  async probe(signal?: AbortSignal): Promise<void> {
    try {
      await this.client.models.list({ timeout: this.#probeTimeoutMs, ...(signal ? { signal } : {}) })
    } catch (err) {
      const { APIConnectionError, APIError } = openaiSdk()
      if (err instanceof APIError && err.status === 404) return
      const mapped = toStepError(err, { provider: this.id, signal, secrets: [this.#apiKey], hasKey: this.hasKey, timeoutMs: this.#probeTimeoutMs })
      if (mapped.kind === 'retryable' && err instanceof APIConnectionError) {
        throw new StepError('provider-unavailable', mapped.message, { provider: this.id, cause: mapped.cause })
      }
      throw mapped
    }
  }
}
