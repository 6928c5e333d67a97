import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { AlertsChanged } from '../../kernel/messages/alerts-changed.event';
import { ReleaseCut } from '../../kernel/messages/release-cut.event';
import { FeedNews } from '../../kernel/messages/feed-news.event';
import { FeedWriter } from './feed-writer';

/** A release cut, alert changes or a source's news committed: write their items now rather than at the next poll. */
@EventsHandler(ReleaseCut, AlertsChanged, FeedNews)
export class FeedTriggers implements IEventHandler<ReleaseCut | AlertsChanged | FeedNews> {
  constructor(private readonly writer: FeedWriter) {}

  handle(): void {
    this.writer.soon();
  }
}
