import type { TopicSpec } from '@caravanserai/messaging';
import type { BatchIngest } from './batch-ingest.port';

/** A regional topic as its context registers it: how to make it, and its ingest. */
export interface RegionalTopic extends TopicSpec {
  ingest: BatchIngest;
}

/**
 * The regional topics the aggregator consumes (docs/architecture.md, "Adding an event kind"). Each
 * context with a topic registers it here at start (its module's onModuleInit), with the ingest it
 * built on the shared PoolingRelease; the ingest wiring (ingest/) makes the topics and consumes
 * them, knowing no context by name, as the feed writer knows its sources through FeedSources.
 */
export class RegionalTopics {
  /** Topic → ingest, in the order registered: the map the regional consumer reads at start. */
  readonly ingests = new Map<string, BatchIngest>();
  private readonly specs: TopicSpec[] = [];

  register({ ingest, ...spec }: RegionalTopic): void {
    if (this.ingests.has(spec.topic)) throw new Error(`regional topic ${spec.topic} is registered twice`);
    this.ingests.set(spec.topic, ingest);
    this.specs.push(spec);
  }

  /** The topics to make (partitions, retention), in the order registered. */
  topics(): readonly TopicSpec[] {
    return this.specs;
  }
}
