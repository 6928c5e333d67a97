import { InProcessApp, InProcessOptions, startInProcessApp, testSigningKeys } from '@caravanserai/testing';

export type InProcessAggregator = InProcessApp;

/**
 * The whole aggregator (AppModule) in this process for integration specs (libs/testing's
 * startInProcessApp): a fresh database of its own, the test signing keys' trust file, a consumer
 * group and topic prefix no other test uses, `options.env` on top. Requests go through `app.inject`.
 */
export function startInProcessAggregator(name: string, options: InProcessOptions = {}): Promise<InProcessAggregator> {
  return startInProcessApp(
    name,
    async () => (await import('../app.module')).AppModule,
    ({ url, prefix, group }) => ({ DATABASE_URL: url, CONSUMER_GROUP: group, TOPIC_PREFIX: prefix, ...testSigningKeys().aggregatorEnv() }),
    options,
  );
}
