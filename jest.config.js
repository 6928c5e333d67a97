/** Projects: pure unit tests, integration tests on the real PostgreSQL and Kafka, end-to-end tests
 * that run the services as separate processes, and fault tests on the three-broker cluster
 * (deploy/kafka/kafka-cluster.sh). `faults-ci` runs with every `npm test`; `faults-slow` (the
 * minute-long outages) only with `npm run test:faults`, which sets FAULTS_SLOW=1. */
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
const faults = { ...base, setupFilesAfterEnv: ['<rootDir>/test/setup/faults.ts'] };
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/attack/**/*.spec.ts', '<rootDir>/test/deploy/**/*.spec.ts', '<rootDir>/test/architecture/**/*.spec.ts'] },
    { ...base, displayName: 'integration', setupFilesAfterEnv: ['<rootDir>/test/setup/integration.ts'], testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', setupFilesAfterEnv: ['<rootDir>/test/setup/e2e.ts'], testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...faults, displayName: 'faults-ci', testMatch: ['<rootDir>/test/faults/*.faults-spec.ts'] },
    ...(process.env.FAULTS_SLOW === '1' ? [{ ...faults, displayName: 'faults-slow', testMatch: ['<rootDir>/test/faults/slow/*.faults-spec.ts'] }] : []),
  ],
};
