import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { AlertsChanged } from '../../alerts/application/alerts-changed.event';
import { ReleaseCut } from '../../releases/application/release-cut.event';
import { FeedNews } from './feed-sources';
import { FeedWriter } from './feed-writer';

/** A release cut, alert changes or a source's news committed: write their items now rather than at the next poll. */
@EventsHandler(ReleaseCut, AlertsChanged, FeedNews)
export class FeedTriggers implements IEventHandler<ReleaseCut | AlertsChanged | FeedNews> {
  constructor(private readonly writer: FeedWriter) {}

  handle(): void {
    this.writer.soon();
  }
}
