import { addDays } from '../disclosure/domain/policy';

/**
 * One item of a recipient's feed (docs/integrators.md): what the recipient's agreements let it
 * see, as it happened. The same item, with the same `id`, is what the cursor feed, Server-Sent
 * Events, webhooks and the recipient's Kafka topic carry.
 */
export const FEED_ITEM_KINDS = [
  'release.flows',
  'release.referrals',
  'alert.raised',
  'alert.escalated',
  'alert.subsided',
  'agreement.granted',
  'agreement.amended',
  'agreement.revoked',
  'agreement.expired',
  'forecast.exceedance',
  'emergency.declared',
  'emergency.activated',
  'emergency.ended',
  'release.emergency-flows',
] as const;
export type FeedItemKind = (typeof FEED_ITEM_KINDS)[number];

/** The part of an item its signature covers (RFC 8785 canonical JSON of exactly this object). */
export interface UnsignedFeedItem {
  /** Stable across redeliveries and channels, e.g. `release/12/flows/IR`; unique per recipient. */
  id: string;
  kind: FeedItemKind;
  /** The principal whose feed this is (`secretariat`, `state:XX`, `org:NAME`). */
  recipient: string;
  occurredAt: string;
  /** What the REST answer for the same principal says (see each kind in docs/integrators.md). */
  data: Record<string, unknown>;
}

/** Ed25519 by the aggregator's key over the canonical JSON of the unsigned item; base64url. */
export interface FeedSignature {
  alg: 'Ed25519';
  keyId: string;
  value: string;
}

export type FeedItem = UnsignedFeedItem & { signature: FeedSignature };

/** An item as read back, with its place in the recipient's feed. The cursor is opaque to
 * recipients (today the decimal `seq`); `after=<cursor>` resumes just after it. */
export interface StoredFeedItem {
  cursor: string;
  item: FeedItem;
}

/** What signs: the aggregator's own Ed25519 key (see AggregatorSigner), its id and public half. */
export abstract class FeedSigner {
  abstract readonly keyId: string;
  abstract readonly publicKeyPem: string;
  /** Ed25519 over `bytes`; base64url without padding. */
  abstract sign(bytes: Buffer): Promise<string>;
}

/** Days of the feed's window: a year of days ending on the release's last day. */
export const WINDOW_DAYS = 365;

/**
 * The days a release item covers: the 365 days ending on the release's `dataUntil`, starting no
 * earlier than the grant's `dataFrom`. It depends only on the release and the grant, never on the
 * data (a window starting at a state's first movement would tell when that was, even to a
 * recipient who may not see that movement). The answer then keeps whole periods only, as every
 * answer does. Null when the grant's data period starts after the release's last day.
 */
export function feedWindow(dataUntil: string, dataFrom: string | null): { from: string; to: string } | null {
  const yearBack = addDays(dataUntil, -(WINDOW_DAYS - 1));
  const from = dataFrom !== null && dataFrom > yearBack ? dataFrom : yearBack;
  return from > dataUntil ? null : { from, to: dataUntil };
}
