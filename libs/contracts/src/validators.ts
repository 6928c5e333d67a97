import { ValidationOptions, registerDecorator } from 'class-validator';
import { findBorderCrossingPoint, isCountryCode } from './reference';

/** ISO 3166-1 alpha-2, `XX` (stateless) or `ZZ` (unknown). */
export function IsCountryCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCountryCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an ISO 3166-1 alpha-2 code, XX (stateless) or ZZ (unknown)', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isCountryCode(value) },
    });
}

/** A code from the border-crossing-point reference list (`GET /v1/reference`). */
export function IsBorderCrossingPoint(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBorderCrossingPoint',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a border crossing point code from GET /v1/reference', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && findBorderCrossingPoint(value) !== undefined,
      },
    });
}
