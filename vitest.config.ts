import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // Rebuilds out/cli when src/ changed: the tests that spawn `studio` run the current sources.
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real SQLite files, real ffmpeg, real child processes: two cores, keep the fan-out modest.
    pool: 'forks',
    maxWorkers: 2
  }
})
