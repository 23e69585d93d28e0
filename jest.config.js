// Tests are TypeScript ES modules, transformed by swc; type checking is `npm run typecheck`.
// Three projects, one per kind of test (npm run test:unit | test:integration | test:e2e):
// e2e files share one sandbox (real control plane, kubelet, MinIO) that the e2e project's
// global setup starts only when at least one e2e file runs.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
};

export default {
  testTimeout: 60_000,
  // Most files wait on processes (clusters, the sandbox, MinIO, Kafka) more than they compute: two
  // at a time keep both cores of the CI machine busy, where Jest's default (cores - 1) runs one.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // The integration files run MinIO: its global setup builds it first (sandbox/binaries).
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], globalSetup: '<rootDir>/test/integration/global-setup.ts' },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/support/global-teardown.ts',
    },
  ],
};
