import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Validates `process.env` against a class-validator class at boot. A missing or malformed
 * setting stops the process with a message that names it. Meant for `ConfigModule.forRoot({ validate })`.
 */
export function validateEnvironment<T extends object>(cls: new () => T) {
  return (config: Record<string, unknown>): T => {
    const instance = plainToInstance(cls, config, { enableImplicitConversion: true, exposeDefaultValues: true });
    const errors = validateSync(instance, { skipMissingProperties: false, whitelist: false });
    if (errors.length > 0) {
      const lines = errors.map((e) => `  ${e.property}=${JSON.stringify(e.value ?? null)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
      throw new Error(`invalid configuration:\n${lines.join('\n')}`);
    }
    return instance;
  };
}

export const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Provides the validated settings as one typed object. ConfigModule validated the same
 * environment at boot (and stopped the process if it was wrong); this builds the typed view. */
export function configProvider<T extends object>(token: symbol, cls: new () => T) {
  return { provide: token, useFactory: (): T => validateEnvironment(cls)(process.env) };
}
