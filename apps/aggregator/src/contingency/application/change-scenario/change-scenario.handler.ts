import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, ICommandHandler } from '@nestjs/cqrs';
import { FeedNews } from '../../../kernel/messages/feed-news.event';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { SecretariatLog } from '../../../kernel/ports/secretariat-log';
import { decideScenario, evolveScenario, initialScenario, ScenarioEvent, scenarioStream, scenarioView, ScenarioView } from '../../domain/scenario';
import { ChangeScenario } from './change-scenario.command';

/**
 * Loads the target's stream, folds it, decides, and appends at the next version: a concurrent
 * change that got there first makes the append a 409 (SECRETARIAT.CONFLICT) with nothing written.
 * After the commit the feed writer is told (FeedNews): a new planning figure may make the latest
 * release's forecast exceed it.
 */
@CommandHandler(ChangeScenario)
export class ChangeScenarioHandler implements ICommandHandler<ChangeScenario, ScenarioView> {
  constructor(
    private readonly log: SecretariatLog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  async execute({ command, recordedBy }: ChangeScenario): Promise<ScenarioView> {
    const streamId = scenarioStream(command.target);
    const stored = await this.log.stream(streamId);
    const state = stored.map((e) => e as unknown as ScenarioEvent).reduce(evolveScenario, initialScenario());
    const decided = decideScenario(command, state);
    const recordedAt = this.clock().toISOString();
    const appended = await this.log.append(
      decided.map((e, i) => ({
        streamId,
        streamVersion: state.version + 1 + i,
        type: e.type,
        data: e.data as unknown as Record<string, unknown>,
        recordedBy,
        recordedAt,
      })),
    );
    this.events.publish(new FeedNews());
    return scenarioView([...stored, ...appended])!;
  }
}
