import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = resolve(ROOT, 'deploy/kafka/kafka-secure.sh');
const run = promisify(execFile);

/**
 * A Kafka broker of its own with SASL/SCRAM and ACLs, driven through deploy/kafka/kafka-secure.sh
 * exactly as an operator would: fresh storage, start, `setup` (users, topics, ACLs) for one topic
 * prefix and consumer group. Its ports and state dir are not the shared broker's:
 * KAFKA_SECURE_TEST_PORT (default 9098, controller +1) and KAFKA_SECURE_TEST_DIR
 * (default <repo>/.kafka-secure-test), so a test never touches another broker.
 */
export class SecureBroker {
  readonly port = Number(process.env.KAFKA_SECURE_TEST_PORT ?? 9098);
  readonly dir = process.env.KAFKA_SECURE_TEST_DIR ?? resolve(ROOT, '.kafka-secure-test');
  readonly brokers = [`127.0.0.1:${this.port}`];

  /** `recipients`: the feed recipients given a reader principal (KAFKA_SECURE_RECIPIENTS; the
   * script's default list when absent). */
  constructor(private readonly settings: { topicPrefix: string; consumerGroup: string; recipients?: string[] }) {}

  private get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_SECURE_DIR: this.dir,
      KAFKA_SECRETS_DIR: resolve(this.dir, 'secrets'),
      KAFKA_SECURE_PORT: String(this.port),
      KAFKA_SECURE_CONTROLLER_PORT: String(this.port + 1),
      TOPIC_PREFIX: this.settings.topicPrefix,
      CONSUMER_GROUP: this.settings.consumerGroup,
      ...(this.settings.recipients ? { KAFKA_SECURE_RECIPIENTS: this.settings.recipients.join(' ') } : {}),
    };
  }

  /** Runs one command of the script; its output is returned, and shown in full when it fails. */
  async script(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run('bash', [SCRIPT, ...args], { env: this.env, cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(`kafka-secure.sh ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: e });
    }
  }

  async start(): Promise<void> {
    await this.script('reset');
    await this.script('start');
    await this.script('setup');
  }

  async stop(): Promise<void> {
    await this.script('reset');
  }

  /** The file holding a principal's password (what KAFKA_SASL_PASSWORD_FILE names). */
  async passwordFile(user: string): Promise<string> {
    return (await this.script('password-file', user)).trim();
  }
}
