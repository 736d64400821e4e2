import { StudioError } from '../errors'

/** A farm operation refused, with a message a person can read; `field` names the input at fault. */
export class FarmError extends StudioError {
  constructor(code: string, message: string, field?: string, options?: { cause?: unknown }) {
    super(code, message, { field, cause: options?.cause })
  }
}
