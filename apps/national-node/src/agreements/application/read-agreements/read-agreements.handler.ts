import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PgAgreementStreams } from '../../infrastructure/pg-agreement-streams';
import { AgreementView, toAgreementView } from './agreement-view';
import { GetAgreementQuery, ListAgreementsQuery } from './read-agreements.query';

// A state holds a handful of agreements: they are read by folding their streams, with no
// projection to keep in step.
@QueryHandler(ListAgreementsQuery)
export class ListAgreementsHandler implements IQueryHandler<ListAgreementsQuery, AgreementView[]> {
  constructor(private readonly streams: PgAgreementStreams) {}

  async execute(): Promise<AgreementView[]> {
    return (await this.streams.all()).map(toAgreementView).filter((v): v is AgreementView => v !== null);
  }
}

@QueryHandler(GetAgreementQuery)
export class GetAgreementHandler implements IQueryHandler<GetAgreementQuery, AgreementView | null> {
  constructor(private readonly streams: PgAgreementStreams) {}

  async execute({ agreementId }: GetAgreementQuery): Promise<AgreementView | null> {
    return toAgreementView((await this.streams.load(agreementId)).history);
  }
}
