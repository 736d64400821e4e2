import { StudioError } from '../errors'

/**
 * A farm operation refused, with a message a person can read; `field` names the input at fault.
 * Its code is the CLI's (`farm-unreachable`, in `--json` errors); the contract's codes are
 * snake_case, so a page gets the same code with underscores (`farm_unreachable`).
 */
export class FarmError extends StudioError {
  constructor(code: string, message: string, field?: string, options?: { cause?: unknown }) {
    super(code, message, { field, cause: options?.cause })
  }

  override get apiCode(): string {
    return this.code.replace(/-/g, '_')
  }
}
