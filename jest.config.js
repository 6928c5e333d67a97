/** Three projects: pure unit tests, integration tests on the real PostgreSQL and Kafka, and
 * end-to-end tests that run the services as separate processes. */
const moduleNameMapper = {
  '^@caravanserai/(.*)$': '<rootDir>/libs/$1/src',
};
const base = {
  rootDir: __dirname,
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
  moduleNameMapper,
};
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...base, displayName: 'integration', setupFilesAfterEnv: ['<rootDir>/test/setup/integration.ts'], testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', setupFilesAfterEnv: ['<rootDir>/test/setup/e2e.ts'], testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
