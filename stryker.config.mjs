// Mutation testing (StrykerJS with the vitest runner): `npm run mutate` plants small bugs in the math and
// safety code and counts those the tests catch. scripts/mutate.mjs picks the files (changed ones by default).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.config.ts' },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60_000,
  // The first run of the whole suite (with coverage) takes 5-7 minutes on a busy 2-core machine: past Stryker's default 5.
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
