import { InProcessApp, InProcessOptions, startInProcessApp, testSigningKeys } from '@caravanserai/testing';

export type InProcessNode = InProcessApp;

/**
 * The whole national node of `state` (AppModule) in this process for integration specs
 * (libs/testing's startInProcessApp): a fresh database of its own, the state's test signing key,
 * a topic prefix no other test uses, `options.env` on top. Requests go through `app.inject`, or
 * real HTTP at `base` with `listen`.
 */
export function startInProcessNode(name: string, state: string, options: InProcessOptions = {}): Promise<InProcessNode> {
  return startInProcessApp(
    name,
    async () => (await import('../app.module')).AppModule,
    ({ url, prefix }) => ({ NODE_STATE: state, ...testSigningKeys().nodeEnv(state), DATABASE_URL: url, TOPIC_PREFIX: prefix }),
    options,
  );
}
