/**
 * Text through chat completions, always streamed: streaming gives progress (tokens received vs
 * maxTokens) and lets a stalled answer be detected long before a whole-request timeout.
 */
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { permanent, retryable } from '../errors'
import { OpenAIConnection, type OpenAIEndpointConfig } from './openai-connection'
import { resolveTextStyle, styleInstructions } from './text-style'
import type { TextCallOptions, TextProvider, TextRequest, TextResult, TokenUsage } from './types'

export interface OpenAITextConfig extends OpenAIEndpointConfig {
  /** Used when a request gives no maxTokens; also the denominator of progress. */
  defaultMaxTokens?: number
}

/** Reasoning models (o1, o3, gpt-5...) reject `max_tokens` and any non-default temperature. */
function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model)
}

/** ~4 characters per token for Latin text: only used when the server does not report usage. */
const estimateTokens = (text: string): number => Math.ceil(text.length / 4)

export class OpenAITextProvider implements TextProvider {
  readonly offline = false
  readonly #connection: OpenAIConnection
  readonly #defaultMaxTokens: number

  constructor(config: OpenAITextConfig) {
    this.#connection = new OpenAIConnection(config)
    this.#defaultMaxTokens = config.defaultMaxTokens ?? 1024
  }

  get id(): string {
    return this.#connection.id
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.#connection.probe(signal)
  }

  async generate(request: TextRequest, options: TextCallOptions): Promise<TextResult> {
    const connection = this.#connection
    const model = connection.model
    const maxTokens = request.maxTokens ?? this.#defaultMaxTokens
    const messages = buildMessages(request, connection.id)
    const params: ChatCompletionCreateParamsStreaming = {
      model,
      messages,
      stream: true,
      // Usage arrives in a last chunk with no choices; servers that ignore the option just omit it.
      stream_options: { include_usage: true },
      ...(isReasoningModel(model) ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }),
      ...(request.temperature !== undefined && !isReasoningModel(model) ? { temperature: request.temperature } : {})
    }

    // The client's timeout stops at the response headers; this watchdog covers a stream that goes quiet.
    const idle = new IdleWatchdog(connection.timeoutMs)
    const signal = AbortSignal.any([options.signal, idle.signal])
    let text = ''
    let chunks = 0
    let finishReason: string | undefined
    let usage: TokenUsage | undefined
    let lastPercent = -1
    try {
      const stream = await connection.client.chat.completions.create(params, { signal })
      idle.touch()
      for await (const chunk of stream) {
        idle.touch()
        if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens }
        const choice = chunk.choices?.[0]
        if (!choice) continue
        const delta = choice.delta?.content
        if (delta) {
          text += delta
          chunks++
          // Servers send about one token per chunk; never claim 100% before the stream ends.
          const percent = Math.min(99, Math.floor((Math.max(chunks, estimateTokens(text)) / maxTokens) * 100))
          if (percent !== lastPercent) {
            lastPercent = percent
            options.onProgress?.(percent)
          }
        }
        if (choice.finish_reason) finishReason = choice.finish_reason
      }
    } catch (err) {
      if (idle.fired && !options.signal.aborted) throw retryable(`${connection.id}: the stream stalled (no data for ${connection.timeoutMs} ms)`, { provider: connection.id })
      throw connection.fail(err, options.signal)
    } finally {
      idle.stop()
    }
    // The client ends the iteration quietly when its signal fires, so check why it ended.
    if (options.signal.aborted) throw connection.fail(new Error('aborted'), options.signal)
    if (idle.fired) throw retryable(`${connection.id}: the stream stalled (no data for ${connection.timeoutMs} ms)`, { provider: connection.id })
    if (finishReason === 'content_filter') throw permanent(`${connection.id}: the answer was blocked by the provider's content filter`, { provider: connection.id })
    if (!finishReason) {
      throw retryable(
        chunks === 0
          ? `${connection.id}: the response had no choices`
          : `${connection.id}: the stream ended before the model finished (connection closed after ${chunks} chunks)`,
        { provider: connection.id }
      )
    }
    if (!text.trim()) throw retryable(`${connection.id}: the model returned an empty answer`, { provider: connection.id })

    const finalUsage: TokenUsage = usage ?? {
      inputTokens: estimateTokens(messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n')),
      outputTokens: Math.max(chunks, estimateTokens(text)),
      estimated: true
    }
    options.onProgress?.(100)
    return {
      text,
      usage: finalUsage,
      ...connection.cost(model, finalUsage),
      provider: connection.id,
      offline: false,
      finishReason,
      model
    }
  }
}

function buildMessages(request: TextRequest, provider: string): ChatCompletionMessageParam[] {
  const style = request.style ? resolveTextStyle(request.style, provider) : undefined
  const system = [request.system, styleInstructions(style, request.language)].filter(Boolean).join('\n\n')
  return [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: request.prompt }]
}

/** Aborts its signal when touch() has not been called for `ms`. */
class IdleWatchdog {
  readonly #controller = new AbortController()
  readonly #ms: number
  #timer: NodeJS.Timeout | undefined
  fired = false

  constructor(ms: number) {
    this.#ms = ms
    this.touch()
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  touch(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.fired = true
      this.#controller.abort()
    }, this.#ms)
    this.#timer.unref?.()
  }

  stop(): void {
    clearTimeout(this.#timer)
  }
}
