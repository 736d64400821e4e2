import { tooDeepMessage, tooDeeplyNested } from '../../shared/json-depth'
import { StudioError } from './errors'

/** Valid JSON, but nested deeper than any request may be (zod's walk of it overflowed the stack). */
export class JsonDepthError extends StudioError {
  constructor(message: string) {
    super('bad_request', message)
    this.name = 'JsonDepthError'
  }
}

/**
 * JSON.parse for text read from a file the user wrote. Windows Notepad (and Excel's "UTF-8"
 * exports) start a file with a byte order mark, which JSON.parse refuses as an unexpected token
 * although the JSON itself is fine: it is dropped first.
 */
export function parseJsonText(text: string): unknown {
  const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  const deep = tooDeeplyNested(value)
  if (deep !== null) throw new JsonDepthError(tooDeepMessage(deep, 'the JSON'))
  return value
}
