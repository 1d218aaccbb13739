// Jest runs the TypeScript sources as ES modules (libxml2-wasm ships ESM only).
// Two projects, chosen by file name (README, "Tests"):
//   unit        *.test.ts             Node and node_modules only: no Redis, PostgreSQL, port, dist/ build,
//                                     browser or system tool (`npm run test:unit`, seconds);
//   integration *.integration.test.ts everything else (`npm run test:integration`, after scripts/test-env.sh
//                                     and the build).
// `npm test` runs both in one jest run; KIH_TESTS=unit or KIH_TESTS=integration keeps one project (the npm scripts
// use it rather than --selectProjects, which would swallow the test paths given after it).
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

const projects = [
  {
    ...shared,
    displayName: 'unit',
    testMatch: ['**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.test\\.ts$'],
  },
  {
    ...shared,
    displayName: 'integration',
    testMatch: ['**/*.integration.test.ts'],
  },
];

const only = process.env.KIH_TESTS;
if (only !== undefined && only !== '' && !projects.some((p) => p.displayName === only)) {
  throw new Error(`KIH_TESTS=${only}: expected unit or integration`);
}

/** @type {import('jest').Config} */
export default {
  testTimeout: 60000,
  testSequencer: '<rootDir>/jest.sequencer.js',
  projects: only ? projects.filter((p) => p.displayName === only) : projects,
};
