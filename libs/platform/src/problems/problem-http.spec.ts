import { DomainError, ValidationFailed } from '@caravanserai/contracts';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsInt, IsIn, Max } from 'class-validator';
import { configureHttpApp, createFastifyAdapter } from '../http-app';
import { registerHardening } from '../hardening';
import { negotiateLanguage } from './language';

/** Every error status the services answer with, as problem+json, through the real filter,
 * validation pipe, Fastify body limits and rate limit, in English and in Russian. */
class ThingDto {
  @IsIn(['a', 'b']) kind!: string;
  @IsInt() @Max(10) size!: number;
}

@Controller('t')
class ThrowingController {
  @Get('401') unauthenticated() {
    throw new DomainError('AUTH.UNAUTHENTICATED', 'missing or invalid credentials: send Authorization: Bearer <api key>', 'unauthorized');
  }
  @Get('403') forbidden() {
    throw new DomainError('AUTH.FORBIDDEN', 'org:UNHCR (role reader) may not call this endpoint', 'forbidden');
  }
  @Get('409') conflict() {
    throw new DomainError('REFERRAL.ILLEGAL_TRANSITION', 'referral r1 is declined: AcceptReferral is not allowed (it is final)', 'conflict', {
      referralStatus: 'declined',
      allowedCommands: [],
      status: 'shadowed',
    });
  }
  @Get('400') bad() {
    throw new ValidationFailed([{ field: 'to', message: 'to must not be before from' }], 'bad_request');
  }
  @Get('500') internal() {
    throw new Error('SELECT secret FROM x');
  }
  @Post('body') body(@Body() dto: ThingDto) {
    return dto;
  }
}

@Module({ controllers: [ThrowingController] })
class ThrowingModule {}

describe('errors as RFC 9457 problems', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ThrowingModule, createFastifyAdapter(1024), { logger: false, abortOnError: false });
    configureHttpApp(app);
    await registerHardening(app, { max: 40, windowMs: 60_000 });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: string) => app.inject({ method, url, headers, payload });
  const problemOf = (res: { headers: Record<string, unknown>; json(): Record<string, unknown> }) => {
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(String(res.headers.vary)).toMatch(/Accept-Language/);
    return res.json();
  };

  it.each([
    ['GET', '/t/400', 400, 'VALIDATION.FAILED', 'Validation failed'],
    ['GET', '/t/401', 401, 'AUTH.UNAUTHENTICATED', 'Not authenticated'],
    ['GET', '/t/403', 403, 'AUTH.FORBIDDEN', 'Not allowed'],
    ['GET', '/nothing', 404, 'NOT_FOUND', 'Not found'],
    ['GET', '/t/409', 409, 'REFERRAL.ILLEGAL_TRANSITION', 'Step not allowed now'],
    ['GET', '/t/500', 500, 'INTERNAL', 'Internal error'],
  ] as const)('%s %s: %i %s in English by default', async (method, url, status, code, title) => {
    const res = await call(method, url);
    expect(res.statusCode).toBe(status);
    const body = problemOf(res);
    expect(res.headers['content-language']).toBe('en');
    expect(body).toMatchObject({ type: `urn:caravanserai:problem:${code}`, title, status, code, requestId: expect.any(String) });
    expect(body.detail).toBe(body.message);
    expect(body.instance).toBe(`urn:caravanserai:request:${body.requestId}`);
  });

  it('keeps an error’s details, never over RFC 9457’s members', async () => {
    const body = problemOf(await call('GET', '/t/409'));
    expect(body).toMatchObject({ status: 409, referralStatus: 'declined', allowedCommands: [] });
  });

  it('422 for an invalid body, 400 for malformed JSON, 413 for a large one, 415 for text', async () => {
    const json = { 'content-type': 'application/json' };
    const invalid = await call('POST', '/t/body', json, JSON.stringify({ kind: 'c', size: 11, extra: 1 }));
    expect(invalid.statusCode).toBe(422);
    const body = problemOf(invalid);
    expect(body).toMatchObject({ code: 'VALIDATION.FAILED', status: 422, title: 'Validation failed' });
    expect((body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['extra', 'kind', 'size']);
    // Nest's Fastify adapter answers a body that is not JSON as a plain 400.
    expect(problemOf(await call('POST', '/t/body', { ...json, 'accept-language': 'ru' }, '{"kind":'))).toMatchObject({
      status: 400,
      code: 'REQUEST.BAD',
      detail: 'тело запроса не является корректным JSON, хотя Content-Type — application/json',
    });
    expect(problemOf(await call('POST', '/t/body', json, JSON.stringify({ kind: 'a'.repeat(2000) })))).toMatchObject({
      status: 413,
      code: 'REQUEST.BODY_TOO_LARGE',
    });
    expect(problemOf(await call('POST', '/t/body', { 'content-type': 'text/plain' }, 'x'))).toMatchObject({
      status: 415,
      code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('answers in Russian when asked: title, detail, message and the field errors', async () => {
    const ru = { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' };
    const res = await call('POST', '/t/body', { ...ru, 'content-type': 'application/json' }, JSON.stringify({ kind: 'c', size: 11 }));
    expect(res.headers['content-language']).toBe('ru');
    const body = problemOf(res);
    expect(body).toMatchObject({ title: 'Данные не прошли проверку', code: 'VALIDATION.FAILED', status: 422 });
    expect(body.detail).toMatch(/^ошибок проверки: 2: .*; ничего не сохранено$/);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'kind', message: 'kind должно быть одним из: a, b' },
        { field: 'size', message: 'size должно быть не больше 10' },
      ]),
    );
    expect(problemOf(await call('GET', '/t/403', ru))).toMatchObject({
      title: 'Доступ запрещён',
      detail: 'org:UNHCR (роль reader) не может вызывать эту операцию',
    });
    expect(problemOf(await call('GET', '/nothing', ru))).toMatchObject({ title: 'Не найдено', detail: 'операции GET /nothing нет' });
    expect(problemOf(await call('GET', '/t/500', ru))).toMatchObject({ title: 'Внутренняя ошибка', detail: 'внутренняя ошибка' });
  });

  it('429 over the rate limit, in the caller’s language', async () => {
    const ru = { 'accept-language': 'ru' };
    let res = await call('GET', '/t/401', ru);
    for (let i = 0; i < 60 && res.statusCode !== 429; i++) res = await call('GET', '/t/401', ru);
    expect(res.statusCode).toBe(429);
    expect(problemOf(res)).toMatchObject({
      type: 'urn:caravanserai:problem:REQUEST.RATE_LIMITED',
      title: 'Слишком много запросов',
      status: 429,
      detail: expect.stringMatching(/^слишком много запросов: не более 40 за 60 с; повторите через \d+ с$/),
    });
  });
});

describe('Accept-Language', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ru', 'ru'],
    ['ru-RU', 'ru'],
    ['RU', 'ru'],
    ['en;q=0.5, ru;q=0.8', 'ru'],
    ['ru;q=0.5, en', 'en'],
    ['ru, en', 'ru'],
    ['de, fr;q=0.9', 'en'],
    ['de, ru;q=0.1', 'ru'],
    ['ru;q=0', 'en'],
    ['*', 'en'],
    ['kk, *;q=0.5, ru;q=0.4', 'en'],
    ['ru;q=abc', 'en'],
  ])('%p → %s', (header, lang) => expect(negotiateLanguage(header)).toBe(lang));
});
