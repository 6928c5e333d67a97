import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { readPrivateKey } from './envelope-signature';
import { loadTrustedKeys } from './trusted-keys-file';

/** A class-validator check that runs `load` on the setting and reports what it threw. */
function loadable(name: string, load: (value: string) => unknown, options?: ValidationOptions) {
  const problems = new WeakMap<object, string>();
  return (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string' || value === '') {
            problems.set(args.object, 'required: a file path');
            return false;
          }
          try {
            load(value);
            return true;
          } catch (e) {
            problems.set(args.object, (e as Error).message);
            return false;
          }
        },
        defaultMessage: (args?: ValidationArguments) => (args && problems.get(args.object)) ?? 'unusable file',
      },
    });
}

/** The setting names a readable PKCS#8 PEM Ed25519 private key. */
export const IsSigningKeyFile = (options?: ValidationOptions) => loadable('isSigningKeyFile', readPrivateKey, options);

/** The setting names a trust file that parses (see docs/signing.md). */
export const IsTrustedKeysFile = (options?: ValidationOptions) => loadable('isTrustedKeysFile', loadTrustedKeys, options);
