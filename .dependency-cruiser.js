/** The boundaries of docs/architecture.md, checked in CI (npm run lint:boundaries, over apps, libs,
 * bench, scripts and test; specs included, so a spec cannot import across apps or in a circle either). */
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
      from: { path: '/application/', pathNot: '\\.(int-)?spec\\.ts$' },
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
      name: 'infrastructure-does-not-import-application',
      comment: 'infrastructure implements what domain and application need (ports live in domain/); it never reaches back into a use case',
      severity: 'error',
      from: { path: '^apps/[^/]+/src/.*/infrastructure/', pathNot: '\\.(int-)?spec\\.ts$' },
      to: { path: '^apps/[^/]+/src/.*/application/' },
    },
    {
      name: 'contexts-import-only-the-kernel',
      comment:
        'an aggregator context (a folder of src) imports its own folder, the shared kernel (infrastructure/, answers/, config/, kernel/: ' +
        'ports and messages) and disclosure/domain/ (the disclosure context that flows, referrals, alerts and the rest call, pure functions), ' +
        'and libs; what it needs of another context is a port in kernel/ports/ that the other provides. Root files are composition roots; specs may reach anywhere',
      severity: 'error',
      from: { path: '^apps/aggregator/src/([^/]+)/', pathNot: ['\\.(int-|e2e-)?spec\\.ts$', '/testing/'] },
      to: { path: '^apps/aggregator/src/[^/]+/', pathNot: '^apps/aggregator/src/($1|infrastructure|answers|config|kernel|disclosure/domain)/' },
    },
    {
      name: 'node-contexts-import-only-the-kernel',
      comment: "a national node context imports its own folder and the node's kernel (infrastructure/, config/), and libs",
      severity: 'error',
      from: { path: '^apps/national-node/src/([^/]+)/', pathNot: ['\\.(int-|e2e-)?spec\\.ts$', '/testing/'] },
      to: { path: '^apps/national-node/src/[^/]+/', pathNot: '^apps/national-node/src/($1|infrastructure|config)/' },
    },
    {
      name: 'production-does-not-import-test-helpers',
      comment: "libs/testing and the apps' testing/ folders are for specs, e2e, fault tests and the bench only",
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: ['\\.(int-|e2e-|faults-)?spec\\.ts$', '/testing/', '^libs/testing/'] },
      to: { path: ['^libs/testing/', '^apps/[^/]+/src/testing/'] },
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
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
