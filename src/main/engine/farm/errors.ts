import type { ApiIssue } from '../../../shared/api-issues'
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

/**
 * A shared folder refused for this computer (Settings → "Studio farm"): the reason as a stable
 * issue the window words in the user's language (`issue.custom.farmShare.<problem>`).
 */
export class FarmShareRefused extends FarmError {
  constructor(readonly problem: string, message: string) {
    super('farm-share-refused', `sharedDir: ${message}`, 'sharedDir')
  }

  override apiIssues(): ApiIssue[] {
    const reason = this.problem.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
    return [{ path: [], code: 'custom', message: this.message, reason: `farmShare.${reason}` }]
  }
}
