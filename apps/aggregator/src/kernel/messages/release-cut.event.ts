import type { ReleaseRef as Release } from '../../disclosure/domain/disclosure-report';

/** A release was cut and committed (by POST /v1/releases or the ReleaseClock): answers now read
 * it. The feeds write their release items on it. */
export class ReleaseCut {
  constructor(readonly release: Release) {}
}
