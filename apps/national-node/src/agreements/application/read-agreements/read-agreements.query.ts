import { Query } from '@nestjs/cqrs';
import type { AgreementView } from './agreement-view';

export class ListAgreementsQuery extends Query<AgreementView[]> {}

export class GetAgreementQuery extends Query<AgreementView | null> {
  constructor(readonly agreementId: string) {
    super();
  }
}
