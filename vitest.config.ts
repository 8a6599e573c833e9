import { defineConfig } from 'vitest/config';

// Unit and integration tests live beside the code they test (lib/**/*.test.ts) and in tests/.
// Integration tests start real member processes on free ports in temporary folders.
export default defineConfig({
  resolve: { alias: { '@': import.meta.dirname } },
  test: {
    include: ['lib/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Two cores: integration tests start several processes each.
    maxWorkers: 2,
  },
});
