import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { AlertsChanged } from '../../alerts/application/alerts-changed.event';
import { ReleaseCut } from '../../releases/application/release-cut.event';
import { FeedWriter } from './feed-writer';

/** A release cut or alert changes committed: write their items now rather than at the next poll. */
@EventsHandler(ReleaseCut, AlertsChanged)
export class FeedTriggers implements IEventHandler<ReleaseCut | AlertsChanged> {
  constructor(private readonly writer: FeedWriter) {}

  handle(): void {
    this.writer.soon();
  }
}
