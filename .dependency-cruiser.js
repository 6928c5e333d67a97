/** The boundaries of docs/architecture.md, checked in CI (npm run lint:boundaries). */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure functions: no framework, database or broker code',
      severity: 'error',
      from: { path: '/domain/' },
      to: { path: ['node_modules/(@nestjs|pg|kafkajs|fastify)/', '^libs/(platform|database|messaging|event-store)/'] },
    },
    {
      name: 'application-never-imports-pg',
      comment: 'application/ depends on readers and stores of its own context (infrastructure/), never on the PostgreSQL driver',
      severity: 'error',
      from: { path: '/application/' },
      to: { path: 'node_modules/(@types/)?pg/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.(int-|e2e-)?spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
