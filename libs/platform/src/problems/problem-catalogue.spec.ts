import { getMetadataStorage, ValidationArguments } from 'class-validator';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FILTER_CODES } from '../exception.filter';
import { RateLimited } from '../hardening';
import { PROBLEM_CATALOGUE } from './catalogue';
import { fieldMessageRu } from './field-messages';
import { detailRu, titleOf } from './problem';

/**
 * The catalogue against the code base: every error code raised anywhere in apps/ and libs/ has
 * its title in both languages and a Russian detail; every message a DTO's validation can give
 * has its Russian. Scanning the sources is what makes a new code or a new DTO rule fail here
 * until its Russian is written.
 */
const ROOT = join(__dirname, '../../../..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'console') sources(path, out);
    } else if (name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name)) out.push(path);
  }
  return out;
}
const files = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))];

/** Codes given to DomainError (its first argument, on the same line or the next) and error classes' own `code`. */
function raisedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new DomainError\(\s*'([A-Z][A-Z0-9_.]*)'/g)) found.set(m[1], relative(ROOT, file));
    for (const m of text.matchAll(/readonly code = '([A-Z][A-Z0-9_.]*)'/g)) found.set(m[1], relative(ROOT, file));
  }
  return found;
}

describe('problem catalogue', () => {
  const raised = raisedCodes();

  it('finds the codes the services raise (the scan works)', () => {
    for (const code of ['AUTH.UNAUTHENTICATED', 'AGREEMENT.REVOKED', 'REFERRAL.ILLEGAL_TRANSITION', 'RELEASE.BACKWARDS', 'REQUEST.RATE_LIMITED'])
      expect(raised.has(code)).toBe(true);
    expect(raised.size).toBeGreaterThan(20);
  });

  it('has English and Russian for every code raised in apps/ and libs/, and for the filter’s own', () => {
    const codes = new Map([
      ...raised,
      ...FILTER_CODES.map((c): [string, string] => [c, 'libs/platform/src/exception.filter.ts']),
      ['VALIDATION.FAILED', 'libs/contracts/src/errors.ts'],
    ]);
    const missing = [...codes]
      .filter(([code]) => {
        const e = PROBLEM_CATALOGUE[code];
        return !e || !e.title.en || !/[а-я]/i.test(e.title.ru) || !/[а-я]/i.test(e.ru.fallback);
      })
      .map(([code, file]) => `${code} (raised in ${file}): add its entry to libs/platform/src/problems/catalogue.ts`);
    expect(missing).toEqual([]);
  });

  it('turns the English details the code writes into Russian by a pattern, not only the fallback', () => {
    const samples: [string, string][] = [
      ['AUTH.FORBIDDEN', 'org:UNHCR (role reader) may not call this endpoint'],
      ['AUTH.FORBIDDEN', 'this node takes records from state:IR only, not state:AF'],
      ['REFERRAL.ILLEGAL_TRANSITION', 'referral 0190 is declined: AcceptReferral is not allowed (it is final)'],
      ['REFERRAL.ILLEGAL_TRANSITION', 'referral 0190 is made: CloseReferral is not allowed (allowed: AcknowledgeReferral, AcceptReferral)'],
      ['AGREEMENT.REVOKED', 'agreement 0190 was revoked on 2026-03-02; amend is refused: grant a new agreement instead'],
      ['AGREEMENT.FOREIGN_PROVIDER', 'a node grants only for its own state: this node speaks for IR, not TR'],
      ['RELEASE.BACKWARDS', "dataUntil 2026-01-01 is before the latest release's 2026-02-01: a release never takes data back"],
      ['REQUEST.RATE_LIMITED', new RateLimited('too many requests: at most 5 per 60 s; retry in 12 s').message],
      ['NOT_FOUND', 'Cannot GET /v1/nothing'],
      ['REQUEST.BAD', 'Validation failed (uuid is expected)'],
      ['REFERRAL.TIME_IN_FUTURE', 'the command is dated 2030-01-01T00:00:00Z, in the future'],
    ];
    for (const [code, en] of samples) {
      const ru = detailRu(code, 400, en);
      expect({ code, en, matched: ru !== PROBLEM_CATALOGUE[code].ru.fallback, cyrillic: /[а-я]/i.test(ru) }).toEqual({
        code,
        en,
        matched: true,
        cyrillic: true,
      });
    }
    expect(titleOf('HTTP.405', 405, 'ru')).toBe('Метод не поддерживается');
  });

  it('has Russian for every message a DTO of the code base can give', async () => {
    for (const file of files.filter((f) => /(\.dto|\.controller|\.schema|query-params)\.ts$/.test(f))) await import(file);
    type Class = abstract new (...args: never[]) => unknown;
    const storage = getMetadataStorage() as unknown as {
      validationMetadatas: Map<
        Class,
        { type: string; name?: string; target: Class; propertyName: string; message?: unknown; constraints?: unknown[]; constraintCls?: Class }[]
      >;
    };
    const untranslated: string[] = [];
    let checked = 0;
    for (const [target, metadatas] of storage.validationMetadatas) {
      if (/Config$/.test(target.name)) continue; // settings read at boot, not request input
      for (const m of metadatas) {
        if (m.type === 'conditionalValidation' || (m.type === 'customValidation' && !m.constraintCls)) continue;
        const args: ValidationArguments = { property: m.propertyName, value: undefined, constraints: m.constraints ?? [], targetName: target.name, object: {} };
        let message: string;
        if (typeof m.message === 'function') message = (m.message as (a: ValidationArguments) => string)(args);
        else if (typeof m.message === 'string') message = m.message;
        else if (m.type === 'whitelistValidation') message = `property ${m.propertyName} should not exist`;
        else if (m.type === 'nestedValidation') message = `nested property ${m.propertyName} must be either object or array`;
        else if (m.type === 'isDefined') message = `${m.propertyName} should not be null or undefined`;
        else {
          const instance = new (m.constraintCls as new () => { defaultMessage?: (a: ValidationArguments) => string })();
          message = instance.defaultMessage?.(args) ?? '';
        }
        message = message
          .replace(/\$property/g, m.propertyName)
          .replace(/\$constraint(\d+)/g, (_, i: string) => String((m.constraints ?? [])[Number(i) - 1]))
          .replace(/\$target/g, target.name);
        if (!message) continue;
        checked += 1;
        const name = m.constraintCls ? (getMetadataStorage().getTargetValidatorConstraints(m.constraintCls)[0]?.name ?? m.type) : m.type;
        if (!fieldMessageRu(message))
          untranslated.push(
            `${target.name}.${m.propertyName} [${name}]: "${message}" — add a pattern under '${name}' in libs/platform/src/problems/field-messages.ts`,
          );
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(untranslated).toEqual([]);
  });
});
