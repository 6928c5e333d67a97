import { anyObject, arr, bool, date, instant, int, nullable, obj, oneOfEnum, str, uuid } from '@caravanserai/platform';

/** The node's answers as OpenAPI schemas (the shapes of the results its handlers return). */

const batchResult = (id: string) =>
  obj({
    accepted: int({ minimum: 0 }),
    duplicates: int({ minimum: 0 }),
    results: arr(obj({ recordId: str(), [id]: uuid(), status: oneOfEnum(['accepted', 'duplicate']) })),
  });

export const MOVEMENT_BATCH_RESULT = batchResult('eventId');
export const REFERRAL_BATCH_RESULT = batchResult('referralId');
export const RETRACTION_RESULT = obj({ movementEventId: uuid(), eventId: uuid(), status: oneOfEnum(['retracted']) });

const history = arr(obj({ eventId: uuid(), type: str(), streamVersion: int(), occurredOn: date(), recordedAt: instant(), data: anyObject() }));

export const REFERRAL_VIEW = obj({
  referralId: uuid(),
  provider: str(),
  status: oneOfEnum(['made', 'acknowledged', 'accepted', 'declined', 'closed']),
  version: int(),
  allowedCommands: arr(str()),
  referral: anyObject('The referral as made (anonymised)'),
  acknowledgedAt: nullable(instant()),
  acceptedAt: nullable(instant()),
  declined: nullable(obj({ at: instant(), reason: str() })),
  closed: nullable(obj({ at: instant(), outcome: str() })),
  history,
});
export const REFERRAL_CHANGE = obj({ referralId: uuid(), eventId: uuid(), type: str(), status: str(), streamVersion: int() });

export const AGREEMENT_VIEW = obj({
  agreementId: uuid(),
  provider: str(),
  status: oneOfEnum(['active', 'revoked']),
  version: int(),
  grantedOn: date(),
  revokedOn: nullable(date()),
  revocationReason: nullable(str()),
  terms: anyObject('The terms in force (docs/agreements.md)'),
  history,
});
export const AGREEMENTS = obj({ agreements: arr(AGREEMENT_VIEW) });
export const EMERGENCY_ACTIVATION = obj({
  agreementId: uuid(),
  eventId: uuid(),
  status: oneOfEnum(['active', 'revoked']),
  version: int(),
  emergencyId: uuid(),
});
export const AGREEMENT_DECISION = obj(
  { agreementId: uuid(), eventId: uuid(), status: oneOfEnum(['active', 'revoked']), version: int(), changes: anyObject() },
  ['changes'],
);

const outbox = obj({ backlog: nullable(int()), published: int(), lastPublishedAt: nullable(instant()), lastError: nullable(str()) });
export const HEALTH = obj({ status: oneOfEnum(['ok', 'degraded']), service: str(), state: str(), database: oneOfEnum(['up', 'down']), outbox });
export const READY = obj(
  {
    ready: bool(),
    accepting: bool(),
    database: oneOfEnum(['up', 'down']),
    broker: oneOfEnum(['up', 'down']),
    brokerError: str(),
    outboxBacklog: nullable(int()),
    publishing: oneOfEnum(['ok', 'retrying']),
  },
  ['brokerError'],
);

const byKind = obj({ movements: int(), referrals: int(), agreements: int() });
export const REPUBLICATION_STATUS = obj({ state: str(), events: int(), byKind, counted: int(), outboxBacklog: int() });
export const REPUBLICATION_QUEUED = obj({
  state: str(),
  queued: int(),
  byTopic: { type: 'object', additionalProperties: int() },
  events: int(),
  lockedMs: int(),
  outboxBacklog: int(),
});
