import {
  agreementAmended,
  agreementGranted,
  agreementRevoked,
  emergencyTermsActivated,
  movementRecorded,
  movementRetracted,
  referralLifecycle,
  signed,
  testSigningKeys,
} from '@caravanserai/testing';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmergencyTerms } from './agreements';
import { AGREEMENT_SCHEMAS, parseAgreementEvent } from './agreements.schema';
import { ALERT_EVENT_TYPES, SURGE_DETECTED, SURGE_SUBSIDED, SurgeDetected, SurgeSubsided, surgeEnvelope } from './alerts';
import { MOVEMENT_SCHEMAS, ParseResult, parseMovementEvent } from './envelope.schema';
import { FEED_TOPIC_PREFIX, feedTopicName, TOPICS } from './events';
import { CATEGORIES } from './reference';
import { parseReferralEvent, REFERRAL_SCHEMAS } from './referral.schema';

/**
 * docs/asyncapi.yaml against the code: every topic and event type the code knows has its channel
 * and message, every event the code produces validates against its message's payload schema, and
 * on variants of those events (a member removed, an unknown member added, a value replaced) the
 * schema and the aggregator (its parser, then the signature check) accept and refuse the same.
 * AsyncAPI 3 payloads are JSON Schema draft-07 (its default schema format), as Ajv's default.
 */

const DOC_PATH = join(__dirname, '../../../docs/asyncapi.yaml');
type Json = Record<string, unknown>;
const doc = load(readFileSync(DOC_PATH, 'utf8')) as {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }>; bindings?: { kafka?: { topic?: string } } }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { messages: Record<string, { name: string; payload: Json; examples?: { payload: Json }[] }> };
};

const DOC_ID = 'asyncapi.yaml';
// Strict, so that an unknown keyword (a typo) in the document fails; not strictTypes and
// strictRequired, which only ask for `type` and `properties` beside every `properties` and `required`.
const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
addFormats(ajv);
// The document's components as one schema resource, so that the payloads' `#/components/...`
// references resolve in it; `components` is a no-op keyword there, and each payload is compiled
// (in strict mode: an unknown keyword or a typo fails) when it is referenced.
ajv.addKeyword({ keyword: 'components' });
ajv.addSchema({ $id: DOC_ID, components: doc.components }, DOC_ID);

/** A JSON pointer's target in the document. */
function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

/** The component message a channel's message points to, and its name in components. */
function componentOf(channel: string, message: string): string {
  const ref = doc.channels[channel].messages[message].$ref;
  const prefix = '#/components/messages/';
  expect(ref.startsWith(prefix)).toBe(true);
  return ref.slice(prefix.length);
}

const validators = new Map<string, ValidateFunction>();
function payloadValidator(component: string): ValidateFunction {
  let v = validators.get(component);
  if (!v) {
    v = ajv.compile({ $ref: `${DOC_ID}#/components/messages/${component}/payload` });
    validators.set(component, v);
  }
  return v;
}

/** The messages of a channel, by event type (each message's `name` is its event type). */
function messagesOf(channel: string): Map<string, string> {
  return new Map(Object.keys(doc.channels[channel].messages).map((m) => [doc.components.messages[componentOf(channel, m)].name, componentOf(channel, m)]));
}

/** What the aggregator takes in: what its parser accepts and a trusted key of the provider signed. */
const registry = testSigningKeys().registry();
function aggregatorAccepts(parse: (raw: string) => ParseResult<unknown>, event: unknown): { ok: boolean; why: string } {
  const parsed = parse(JSON.stringify(event));
  if (!parsed.ok) return { ok: false, why: parsed.reason };
  const verdict = registry.verify(event as object);
  return verdict.ok ? { ok: true, why: 'accepted' } : { ok: false, why: verdict.reason };
}

/** Which of the channel's messages accept an event, with the errors of the one named by its type. */
function schemaVerdict(channel: string, event: unknown): { accepting: string[]; errors: string } {
  const messages = messagesOf(channel);
  const accepting = [...messages].filter(([, component]) => payloadValidator(component)(event)).map(([type]) => type);
  const own = messages.get((event as { type?: string } | null)?.type ?? '');
  let errors = '';
  if (own) {
    const v = payloadValidator(own);
    v(event);
    errors = ajv.errorsText(v.errors);
  }
  return { accepting, errors };
}

/* ---- the code's view: topics, event types, parsers, and events as the code produces them ---- */

interface Topic {
  topic: string;
  types: readonly string[];
  /** The aggregator's parser for the topic; none for alerts, which the aggregator publishes. */
  parse: ((raw: string) => ParseResult<unknown>) | null;
  /** Valid events, as produced by the code (signed by their node where a node publishes them). */
  events: () => unknown[];
  /** Changes to a valid event (unsigned) aimed at the topic's own rules: the schema and the
   * aggregator must agree on them. */
  aimed?: (valid: Json) => [string, Json][];
  /** Changes the aggregator refuses and the schema cannot: rules that tie one member to another,
   * stated in the document's descriptions only. */
  beyondSchema?: (valid: Json) => [string, Json][];
}

const withData = (event: Json, data: Json): Json => ({ ...event, data: { ...(event.data as Json), ...data } });
/** A version 2 amendment's emergency change, kept when its other changes are replaced. */
const keepEmergency = (e: Json): Json => {
  const changes = (e.data as { changes: Json }).changes;
  return changes.emergency !== undefined ? { emergency: changes.emergency } : {};
};
const otherId = '019cacdf-29d9-72a8-b639-5ece65992f99';
const EMERGENCY_TERMS: EmergencyTerms = {
  minTimeGranularity: 'day',
  minGeoGranularity: 'border_crossing_point',
  embargoDays: 0,
  dimensions: ['borderCrossingPoint', 'sex'],
  recipients: ['org:UNHCR', 'state:TR'],
  maxDays: 30,
  activation: 'on-critical-surge',
};

const alertFigures = {
  scope: 'route' as const,
  route: 'AF>IR>TR',
  borderCrossingPoint: null,
  category: null,
  window: { from: '2026-11-19', to: '2026-11-25' },
  baseline: { from: '2026-10-22', to: '2026-11-18' },
  recent: 224,
  expectedWeekly: 56,
  ratio: 4,
  score: 22.45,
  method: 'weekly-robust-v1' as const,
};
const alertId = '019dc5f1-69f0-7a22-8e1b-1a2b3c4d5e6f';

const CODE: Record<keyof typeof TOPICS, Topic> = {
  movements: {
    topic: TOPICS.movements,
    types: Object.keys(MOVEMENT_SCHEMAS),
    parse: parseMovementEvent,
    events: () => {
      const recorded = movementRecorded();
      return [
        recorded,
        movementRecorded({
          provider: 'AF',
          data: { borderCrossingPoint: 'AF-TORKHAM', departedFrom: null, intendedDestination: null, specificNeeds: ['child_at_risk', 'disability'] },
        }),
        movementRetracted(recorded),
      ].map(signed);
    },
    aimed: (e) =>
      e.type === 'MovementRecorded'
        ? [
            ['a crossing point of another state', withData(e, { borderCrossingPoint: 'AF-ISLAMQALA' })],
            ['an unknown crossing point', withData(e, { borderCrossingPoint: 'IR-NOWHERE' })],
            ['citizenship XX (stateless)', withData(e, { citizenship: 'XX' })],
            ['an unassigned country', withData(e, { citizenship: 'QQ' })],
            ['13 specific needs', withData(e, { specificNeeds: Array(13).fill('disability') })],
          ]
        : [],
    beyondSchema: (e) =>
      e.type === 'MovementRecorded'
        ? [['a record on another stream', { ...e, streamId: `movement-${otherId}` }]]
        : [['a retraction on the stream of another movement', withData(e, { movementEventId: otherId })]],
  },
  referrals: {
    topic: TOPICS.referrals,
    types: Object.keys(REFERRAL_SCHEMAS),
    parse: parseReferralEvent,
    events: () =>
      [
        ...referralLifecycle(['made', 'acknowledged', 'accepted', 'closed']),
        ...referralLifecycle(['made', 'declined'], { provider: 'PK', data: { movementEventId: movementRecorded().eventId } }),
      ].map(signed),
    aimed: (e) =>
      e.type === 'ReferralMade'
        ? [
            ['at streamVersion 2', { ...e, streamVersion: 2 }],
            ['a crossing point of another state', withData(e, { borderCrossingPoint: 'AF-ISLAMQALA', province: null })],
            ['a province of another state', withData(e, { borderCrossingPoint: null, province: 'AF-01' })],
            ['both a crossing point and a province', withData(e, { borderCrossingPoint: `${e.provider}-X`, province: `${e.provider}-01` })],
            ['a time not on the hour', withData(e, { referredAt: '2026-03-02T08:30:00Z' })],
          ]
        : [['at streamVersion 1', { ...e, streamVersion: 1 }]],
    beyondSchema: (e) => [['a step on the stream of another referral', withData(e, { referralId: otherId })]],
  },
  agreements: {
    topic: TOPICS.agreements,
    types: Object.keys(AGREEMENT_SCHEMAS),
    parse: parseAgreementEvent,
    events: () => {
      const grant = agreementGranted('IR', {
        recipient: 'state:TR',
        scope: { eventKinds: ['movements', 'referrals'], categories: { exclude: ['victim_of_trafficking'] } },
        dimensions: ['route', 'category'],
        minTimeGranularity: 'month',
        minGeoGranularity: 'country',
        minCellSize: 5,
        embargoDays: 30,
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
      });
      const emergencyGrant = agreementGranted('PK', {
        recipient: 'secretariat',
        dimensions: ['route'],
        minTimeGranularity: 'month',
        minGeoGranularity: 'country',
        minCellSize: 5,
        embargoDays: 30,
        emergency: EMERGENCY_TERMS,
      });
      // a grant for 2026 data only, as the node now publishes it
      const period = agreementGranted('AF', { validFrom: '2026-01-01', dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
      return [
        grant,
        agreementGranted('KZ', { recipient: 'org:UNHCR', scope: { eventKinds: ['referrals'], categories: { include: ['refugee'] } } }),
        agreementAmended(grant, { minCellSize: 10, validUntil: null }),
        agreementAmended(grant, { scope: { eventKinds: ['movements'] }, dimensions: [], purpose: 'narrower' }, 3),
        agreementRevoked(grant, 4),
        period,
        agreementGranted('TM', { dataFrom: null, dataUntil: null }),
        agreementAmended(period, { dataFrom: null, dataUntil: '2025-12-31' }),
        // emergency terms (version 2), amended and removed (version 2), activated (docs/emergencies.md)
        emergencyGrant,
        agreementAmended(emergencyGrant, { emergency: { ...EMERGENCY_TERMS, maxDays: 10, recipients: [] } }),
        agreementAmended(emergencyGrant, { emergency: null }, 3),
        emergencyTermsActivated(emergencyGrant, '019eb1c0-2a3b-7c4d-8e5f-6a7b8c9d0e1f', 2),
      ].map(signed);
    },
    aimed: (e) => {
      if (e.type === 'AgreementGranted') {
        const scope = (e.data as { scope: Json }).scope;
        return [
          ...['state:XX', 'state:QQ', 'state:tr', 'org:A', 'org:UN HCR', 'org:unhcr', '*', 'state:AF', 'everyone'].map((r): [string, Json] => [
            `recipient ${r}`,
            withData(e, { recipient: r }),
          ]),
          ['categories both included and excluded', withData(e, { scope: { ...scope, categories: { include: ['refugee'], exclude: ['other'] } } })],
          ['categories neither', withData(e, { scope: { ...scope, categories: {} } })],
          ['categories include nothing', withData(e, { scope: { ...scope, categories: { include: [] } } })],
          ['categories exclude every one', withData(e, { scope: { ...scope, categories: { exclude: [...CATEGORIES] } } })],
          ['categories exclude all but one', withData(e, { scope: { ...scope, categories: { exclude: CATEGORIES.slice(1) } } })],
          ['no event kind', withData(e, { scope: { eventKinds: [] } })],
          ['borderCrossingPoint at country granularity', withData(e, { dimensions: ['borderCrossingPoint'], minGeoGranularity: 'country' })],
          [
            'borderCrossingPoint at crossing-point granularity',
            withData(e, { dimensions: ['borderCrossingPoint'], minGeoGranularity: 'border_crossing_point' }),
          ],
          ['purpose only spaces', withData(e, { purpose: '   ' })],
          ['purpose of 500 characters', withData(e, { purpose: 'x'.repeat(500) })],
          ['purpose of 501 characters', withData(e, { purpose: 'x'.repeat(501) })],
          ['validFrom 30 February', withData(e, { validFrom: '2026-02-30' })],
          ['validUntil a timestamp', withData(e, { validUntil: '2026-12-31T00:00:00Z' })],
          ['dataFrom 30 February', withData(e, { dataFrom: '2026-02-30' })],
          ['dataUntil a timestamp', withData(e, { dataUntil: '2026-12-31T00:00:00Z' })],
          ['dataFrom a number', withData(e, { dataFrom: 20260101 })],
          ['dataFrom null', withData(e, { dataFrom: null })],
          ['dataUntil one day', withData(e, { dataFrom: '2026-03-01', dataUntil: '2026-03-01' })],
          ['embargoDays 3650', withData(e, { embargoDays: 3650 })],
          ['embargoDays 3651', withData(e, { embargoDays: 3651 })],
          ['with a provider in data', withData(e, { provider: e.provider })],
          ['at streamVersion 2', { ...e, streamVersion: 2 }],
        ];
      }
      if (e.type === 'AgreementAmended') {
        return [
          ['changing nothing', withData(e, { changes: {} })],
          ['changing the recipient', withData(e, { changes: { recipient: 'secretariat' } })],
          ['changing minCellSize to 0', withData(e, { changes: { minCellSize: 0 } })],
          ['changing dataFrom to 31 April', withData(e, { changes: { dataFrom: '2026-04-31' } })],
          ['lifting dataUntil', withData(e, { changes: { dataUntil: null } })],
          ['changing dataUntil to an empty string', withData(e, { changes: { dataUntil: '' } })],
          [
            'changing to borderCrossingPoint at country granularity',
            withData(e, { changes: { dimensions: ['borderCrossingPoint'], minGeoGranularity: 'country' } }),
          ],
          [
            'changing the categories to exclude every one',
            withData(e, { changes: { scope: { eventKinds: ['movements'], categories: { exclude: [...CATEGORIES] } } } }),
          ],
          ['at streamVersion 1', { ...e, streamVersion: 1 }],
        ];
      }
      return [
        ['a reason of spaces', withData(e, { reason: ' \n ' })],
        ['a reason of 501 characters', withData(e, { reason: 'x'.repeat(501) })],
        ['at streamVersion 1', { ...e, streamVersion: 1 }],
      ];
    },
    beyondSchema: (e) => [
      ['on the stream of another agreement', withData(e, { agreementId: otherId })],
      ...(e.type === 'AgreementGranted'
        ? [
            ['validUntil before validFrom', withData(e, { validFrom: '2026-06-01', validUntil: '2026-05-31' })] as [string, Json],
            ['dataUntil before dataFrom', withData(e, { dataFrom: '2026-06-01', dataUntil: '2026-05-31' })] as [string, Json],
          ]
        : []),
      ...(e.type === 'AgreementAmended'
        ? [
            [
              'changing dataUntil before dataFrom, both given',
              withData(e, { changes: { ...keepEmergency(e), dataFrom: '2026-06-01', dataUntil: '2026-05-31' } }),
            ] as [string, Json],
          ]
        : []),
      // Emergency terms are checked against the grant's own: never coarser, never a longer embargo, not its own recipient again.
      ...(e.type === 'AgreementGranted' && (e.data as Json).emergency
        ? ([
            ['emergency terms coarser than the grant', withData(e, { emergency: { ...EMERGENCY_TERMS, minTimeGranularity: 'year' } })],
            ['emergency terms with a longer embargo', withData(e, { emergency: { ...EMERGENCY_TERMS, embargoDays: 31 } })],
            ["emergency terms naming the grant's own recipient", withData(e, { emergency: { ...EMERGENCY_TERMS, recipients: ['secretariat'] } })],
          ] as [string, Json][])
        : []),
    ],
  },
  alerts: {
    topic: TOPICS.alerts,
    types: ALERT_EVENT_TYPES,
    parse: null,
    events: () => [
      surgeEnvelope<SurgeDetected>(SURGE_DETECTED, {
        eventId: '019dc5f1-6a0e-7c11-9d0b-2f3a4b5c6d7e',
        provider: 'IR',
        streamVersion: 1,
        recordedAt: new Date(),
        data: { alertId, ...alertFigures, severity: 'critical', previousSeverity: null },
      }),
      surgeEnvelope<SurgeDetected>(SURGE_DETECTED, {
        eventId: '019dc5f1-6a0e-7c11-9d0b-2f3a4b5c6d7f',
        provider: 'TR',
        streamVersion: 2,
        recordedAt: new Date(),
        data: {
          alertId,
          ...alertFigures,
          scope: 'borderCrossingPoint',
          route: null,
          borderCrossingPoint: 'TR-KAPIKOY',
          severity: 'high',
          previousSeverity: 'elevated',
        },
      }),
      surgeEnvelope<SurgeSubsided>(SURGE_SUBSIDED, {
        eventId: '019dc5f1-6a0e-7c11-9d0b-2f3a4b5c6d80',
        provider: 'IR',
        streamVersion: 3,
        recordedAt: new Date(),
        data: { alertId, ...alertFigures, scope: 'routeCategory', category: 'refugee', severity: 'high' },
      }),
    ],
  },
};

/* ---- variants of a valid event ---- */

type Path = (string | number)[];
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every path to a member or an array item, depth first. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...at, i], ...pathsOf(v, [...at, i])]);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [[...at, k], ...pathsOf(v, [...at, k])]);
  return [];
}
const getAt = (value: unknown, path: Path): unknown => path.reduce<unknown>((node, key) => (node as Json)[key as string], value);
function setAt<T>(value: T, path: Path, replacement: unknown): T {
  const copy = clone(value);
  const parent = getAt(copy, path.slice(0, -1)) as Json;
  if (replacement === undefined) delete parent[path[path.length - 1] as string];
  else parent[path[path.length - 1] as string] = replacement;
  return copy;
}

interface Variant {
  what: string;
  event: unknown;
}

/** Broken (or merely different) copies of a valid event. Members other than keyId and signature
 * are changed before signing, as a node that produced them would sign them: what decides is then
 * the schema check, not the signature. */
function variantsOf(valid: Json, sign: boolean, aimed: [string, Json][] = []): Variant[] {
  const { keyId: _k, signature: _s, ...unsigned } = valid;
  const out: Variant[] = [];
  const add = (what: string, event: Json) => out.push({ what, event: sign ? signed(event) : event });
  for (const path of pathsOf(unsigned)) {
    const where = path.join('.');
    const value = getAt(unsigned, path);
    if (typeof path[path.length - 1] === 'string') add(`without ${where}`, setAt(unsigned, path, undefined));
    add(`${where} null`, setAt(unsigned, path, null));
    if (typeof value === 'string') {
      add(`${where} not-a-code`, setAt(unsigned, path, 'not-a-code'));
      add(`${where} empty`, setAt(unsigned, path, ''));
      add(`${where} a number`, setAt(unsigned, path, 7));
    }
    if (typeof value === 'number') {
      add(`${where} -1`, setAt(unsigned, path, -1));
      add(`${where} 0`, setAt(unsigned, path, 0));
      add(`${where} 1.5`, setAt(unsigned, path, 1.5));
      add(`${where} as a string`, setAt(unsigned, path, String(value)));
    }
    if (Array.isArray(value)) {
      add(`${where} not an array`, setAt(unsigned, path, 'x'));
      if (value.length > 0) add(`${where} with a repeat`, setAt(unsigned, path, [...value, value[0]]));
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      add(`${where} with an unknown member`, setAt(unsigned, [...path, 'unknownMember'], 'x'));
      add(`${where} an array`, setAt(unsigned, path, []));
    }
  }
  add('an unknown member', { ...unsigned, unknownMember: 'x' });
  add('schemaVersion 2', { ...unsigned, schemaVersion: 2 });
  add('an upper-case eventId', { ...unsigned, eventId: String(unsigned.eventId).toUpperCase() });
  add('recordedAt a date alone', { ...unsigned, recordedAt: String(unsigned.recordedAt).slice(0, 10) });
  add('recordedAt with an offset', { ...unsigned, recordedAt: '2026-03-02T08:17:12.345+03:30' });
  add('recordedAt without fractions', { ...unsigned, recordedAt: '2026-03-02T04:47:12Z' });
  add('recordedAt with an offset without colon', { ...unsigned, recordedAt: '2026-03-02T08:17:12.345+0330' });
  add('recordedAt in lower case', { ...unsigned, recordedAt: '2026-03-02t04:47:12.345z' });
  add('recordedAt with a space', { ...unsigned, recordedAt: '2026-03-02 04:47:12.345Z' });
  add('occurredOn 30 February', { ...unsigned, occurredOn: '2026-02-30' });
  for (const [what, event] of aimed) add(what, event);
  if (sign) {
    out.push({ what: 'unsigned', event: unsigned });
    out.push({ what: 'without keyId', event: { ...unsigned, signature: valid.signature } });
    out.push({ what: 'keyId null', event: { ...valid, keyId: null } });
    out.push({ what: 'signature null', event: { ...valid, signature: null } });
    out.push({ what: 'signature not base64url', event: { ...valid, signature: '!'.repeat(86) } });
  }
  return out;
}

/* ---- the checks ---- */

describe('docs/asyncapi.yaml', () => {
  it('has one channel per topic of the code, at its address', () => {
    expect(Object.keys(doc.channels).sort()).toEqual([...Object.keys(TOPICS), 'feed'].sort());
    for (const [name, topic] of Object.entries(TOPICS)) {
      expect({ name, address: doc.channels[name].address }).toEqual({ name, address: topic });
      expect({ name, bindingTopic: doc.channels[name].bindings?.kafka?.topic }).toEqual({ name, bindingTopic: topic });
    }
  });

  it.each(Object.keys(CODE))('%s: one message per event type the code knows, named by its type', (channel) => {
    const code = CODE[channel as keyof typeof TOPICS];
    expect([...messagesOf(channel).keys()].sort()).toEqual([...code.types].sort());
  });

  it('points every operation at a channel and at messages of that channel', () => {
    for (const [name, op] of Object.entries(doc.operations)) {
      const channel = op.channel.$ref.replace('#/channels/', '');
      expect({ name, channel: Boolean(doc.channels[channel]) }).toEqual({ name, channel: true });
      for (const m of op.messages) {
        expect({ name, ref: m.$ref.startsWith(`#/channels/${channel}/messages/`) && resolve(m.$ref) !== undefined }).toEqual({ name, ref: true });
      }
    }
    // Every channel is written by someone and, except alerts (read by the secretariat's systems,
    // outside this repository), read by the aggregator.
    const actions = (channel: string) =>
      Object.values(doc.operations)
        .filter((op) => op.channel.$ref === `#/channels/${channel}`)
        .map((op) => op.action)
        .sort();
    for (const channel of Object.keys(TOPICS))
      expect({ channel, actions: actions(channel) }).toEqual({ channel, actions: channel === 'alerts' ? ['send'] : ['receive', 'send'] });
    // The recipients' feed topics are written by the aggregator and read by the recipients' systems.
    expect(actions('feed')).toEqual(['send']);
  });

  it.each(Object.keys(CODE))('%s: the examples validate and the aggregator parses them', (channel) => {
    const code = CODE[channel as keyof typeof TOPICS];
    for (const [type, component] of messagesOf(channel)) {
      for (const example of doc.components.messages[component].examples ?? []) {
        const v = payloadValidator(component);
        expect({ type, valid: v(example.payload), errors: ajv.errorsText(v.errors) }).toEqual({ type, valid: true, errors: 'No errors' });
        if (code.parse) expect({ type, parsed: code.parse(JSON.stringify(example.payload)) }).toMatchObject({ type, parsed: { ok: true } });
      }
    }
  });

  it.each(Object.keys(CODE))('%s: every event the code produces validates against its message, and only that one', (channel) => {
    const code = CODE[channel as keyof typeof TOPICS];
    const events = code.events();
    expect(new Set(events.map((e) => (e as { type: string }).type))).toEqual(new Set(code.types));
    for (const event of events) {
      const type = (event as { type: string }).type;
      if (code.parse) expect({ type, aggregator: aggregatorAccepts(code.parse, event) }).toEqual({ type, aggregator: { ok: true, why: 'accepted' } });
      const { accepting, errors } = schemaVerdict(channel, event);
      expect({ type, accepting, errors }).toEqual({ type, accepting: [type], errors: 'No errors' });
    }
  });

  it.each(['movements', 'referrals', 'agreements'])('%s: the schema and the aggregator accept and refuse the same variants', (channel) => {
    const code = CODE[channel as keyof typeof TOPICS];
    const disagreements: string[] = [];
    let refused = 0;
    let checked = 0;
    for (const valid of code.events()) {
      const { keyId: _k, signature: _s, ...unsigned } = valid as Json;
      for (const { what, event } of variantsOf(valid as Json, true, code.aimed?.(unsigned))) {
        const byCode = aggregatorAccepts(code.parse!, event);
        const { accepting, errors } = schemaVerdict(channel, event);
        const bySchema = accepting.length > 0;
        checked += 1;
        if (!byCode.ok) refused += 1;
        if (byCode.ok !== bySchema) {
          disagreements.push(
            `${(valid as Json).type} ${what}: aggregator ${byCode.ok ? 'accepts' : `refuses (${byCode.why})`}, schema ${bySchema ? `accepts (as ${accepting.join(', ')})` : `refuses (${errors})`}`,
          );
        }
      }
    }
    expect(disagreements).toEqual([]);
    // The variants do break things: most are refused.
    expect(refused).toBeGreaterThan(checked / 2);
  });

  it.each(['movements', 'referrals', 'agreements'])('%s: what only the aggregator can refuse is refused by it, and stated in the document', (channel) => {
    const code = CODE[channel as keyof typeof TOPICS];
    for (const valid of code.events()) {
      const { keyId: _k, signature: _s, ...unsigned } = valid as Json;
      for (const [what, changed] of code.beyondSchema!(unsigned)) {
        const event = signed(changed);
        expect({ what, aggregator: aggregatorAccepts(code.parse!, event).ok, schema: schemaVerdict(channel, event).accepting }).toEqual({
          what,
          aggregator: false,
          schema: [changed.type],
        });
      }
    }
  });

  it('alerts: the schema refuses what the aggregator never publishes', () => {
    // No parser exists for alerts.v1 in this repository (the aggregator only writes it): the
    // schema is held to the TypeScript types of alerts.ts instead, through the valid events above.
    for (const valid of CODE.alerts.events()) {
      const variants = variantsOf(valid as Json, false).filter((v) =>
        /^(without (eventId|type|data|data\.alertId|data\.window|data\.severity)|(type|data\.scope|data\.severity|data\.method|provider) not-a-code|.*with an unknown member|an unknown member|schemaVersion 2)$/.test(
          v.what,
        ),
      );
      expect(variants.length).toBeGreaterThan(10);
      for (const { what, event } of variants) expect({ what, accepting: schemaVerdict('alerts', event).accepting }).toEqual({ what, accepting: [] });
    }
    const [detected, , subsided] = CODE.alerts.events() as Json[];
    const { previousSeverity: _p, ...withoutPrevious } = detected.data as Json;
    expect(schemaVerdict('alerts', { ...detected, data: withoutPrevious }).accepting).toEqual([]);
    expect(schemaVerdict('alerts', { ...subsided, data: { ...(subsided.data as Json), previousSeverity: null } }).accepting).toEqual([]);
  });
  describe('feed: the per-recipient topics', () => {
    const item = {
      id: 'release/12/flows/IR',
      kind: 'release.flows',
      recipient: 'org:UNHCR',
      occurredAt: '2026-12-01T02:00:00.000Z',
      data: { releaseId: 12 },
      signature: { alg: 'Ed25519', keyId: 'aggregator-0123456789abcdef', value: 'A'.repeat(86) },
    };
    const valid = payloadValidator(componentOf('feed', 'feedItem'));

    it("is at the address the code gives each recipient's topic", () => {
      expect(doc.channels.feed.address).toBe(feedTopicName('{recipient}'));
      expect(feedTopicName('org:UNHCR')).toBe(`${FEED_TOPIC_PREFIX}org.UNHCR`);
      expect(feedTopicName('state:TR', 'test-1.')).toBe('test-1.caravanserai.feed.state.TR');
    });

    it('takes a signed item and its examples, and refuses an unsigned or unknown one', () => {
      expect({ valid: valid(item), errors: ajv.errorsText(valid.errors) }).toEqual({ valid: true, errors: 'No errors' });
      for (const example of doc.components.messages.FeedItem.examples ?? []) expect(valid(example.payload)).toBe(true);
      const { signature: _s, ...unsigned } = item;
      for (const [what, variant] of [
        ['unsigned', unsigned],
        ['an unknown kind', { ...item, kind: 'release.other' }],
        ['an unknown member', { ...item, extra: 1 }],
        ['a recipient that is not one', { ...item, recipient: '*' }],
        ['a short signature', { ...item, signature: { ...item.signature, value: 'A'.repeat(85) } }],
        ['another algorithm', { ...item, signature: { ...item.signature, alg: 'RS256' } }],
      ] as [string, Json][]) {
        expect({ what, valid: valid(variant) }).toEqual({ what, valid: false });
      }
    });
  });
});
