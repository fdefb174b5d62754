/**
 * `npm run test:faults`: the fault tests (test/faults), which kill workers and dev servers and flood the receiver.
 * Kept out of `npm test` (jest.config.js ignores test/faults) so the suite stays fast; CI runs both.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  coverageThreshold: undefined,
  testTimeout: 180_000,
  // Most of a fault test is waiting (for a heartbeat timeout, a restart): two at a time even on 2 cores.
  maxWorkers: 2,
};
