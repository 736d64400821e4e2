/**
 * Keeps the run's unhandled errors (an 'error' event nobody listened to, a rejected promise nobody
 * awaited) in test-artifacts/unhandled-errors.json. Vitest prints them in the middle of a long
 * output and the JSON report leaves them out, so a CI that shows only the end of the output said
 * "4 errors" and nothing else; scripts/test.sh prints this file's summary as its last lines.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import type { Reporter } from 'vitest/node'

type RunEnd = NonNullable<Reporter['onTestRunEnd']>

export default class UnhandledErrorsReporter implements Reporter {
  onTestRunEnd: RunEnd = (_modules, unhandledErrors) => {
    const errors = unhandledErrors.map((e) => {
      const error = e as { name?: string; message?: string; stack?: string; VITEST_TEST_PATH?: string; VITEST_TEST_NAME?: string }
      return {
        name: error.name ?? 'Error',
        message: error.message ?? String(e),
        testFile: error.VITEST_TEST_PATH ?? null,
        testName: error.VITEST_TEST_NAME ?? null,
        stack: (error.stack ?? '').split('\n').slice(0, 12).join('\n')
      }
    })
    mkdirSync('test-artifacts', { recursive: true })
    writeFileSync('test-artifacts/unhandled-errors.json', JSON.stringify(errors, null, 2))
  }
}
