import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Set-up hooks run the real Pacemaker tools too (modelEvents builds its cases with crm_simulate: 8 s
    // alone, over 10 s beside the model-based suite on two cores).
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
