/**
 * Left out of the coverage figure, because jest cannot see them run (tests run them all the same):
 * - code that runs only inside the Temporal worker's workflow sandbox, loaded from a webpack bundle rather than
 *   jest's instrumented modules: test/integration/workflow*.test.ts run its paths on a real dev server, and the
 *   replay test pins its determinism;
 * - process entry points (npm start, npm run worker): the e2e and fault tests start them as child processes.
 */
const COVERAGE_EXCLUDED = [
  '/node_modules/',
  '<rootDir>/src/workflows/(index|issue-workflow|reconcile-workflow|activity-options)\\.ts$',
  '<rootDir>/src/main\\.ts$',
  '<rootDir>/src/worker\\.ts$',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // src is a root too, so that a module no test loads counts as uncovered instead of being left out of the report.
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  // The fault tests kill workers and dev servers: `npm run test:faults` (jest.faults.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-sdk.ts'],
  testTimeout: 60_000,
  // `npm test` runs with --coverage and so enforces the threshold; `npx jest <one file>` (no coverage) does not.
  collectCoverageFrom: ['src/**/*.ts'],
  coveragePathIgnorePatterns: COVERAGE_EXCLUDED,
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageThreshold: { global: { lines: 90 } },
};
