import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real SQLite files, real ffmpeg, real child processes: two cores, keep the fan-out modest.
    pool: 'forks',
    maxWorkers: 2
  }
})
