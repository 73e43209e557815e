import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Keys that name an object's prototype machinery. class-transformer never copies them, so the
 * whitelist never sees them and they would pass silently (or, merged with `Object.assign` or a
 * spread somewhere later, reach a prototype): refused everywhere, free-form maps included.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whitelisting (an unknown field is a 400, at any depth of nested DTOs) whose 400 lists one message
 * per invalid field, each naming its full path. Before the DTO is even built, a body or query that
 * holds a prototype key anywhere is refused, also on endpoints that take free-form input.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = prototypeKeyProblems(value);
      if (problems.length > 0) throw new BadRequestException(problems);
    }
    return super.transform(value, metadata);
  }
}

/** The app's one validation pipe (installed globally in app.factory). */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(fieldMessages(errors)),
  });
}

/**
 * The same checks for input that does not come through the pipe (a configuration file): prototype
 * keys first, then the DTO's own rules with the whitelist. Problems are prefixed with `parent`.
 */
export function validatePlain<T extends object>(type: new () => T, plain: unknown, parent = ''): { instance: T; problems: string[] } {
  const problems = prototypeKeyProblems(plain, parent);
  if (problems.length > 0) return { instance: plainToInstance(type, {}), problems };
  const instance = plainToInstance(type, plain);
  return {
    instance,
    problems: fieldMessages(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), parent),
  };
}

/** One message per prototype key found at any depth, in the whitelist's `path: property X should not exist` form. */
export function prototypeKeyProblems(value: unknown, parent = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => prototypeKeyProblems(item, parent ? `${parent}.${index}` : String(index)));
  return Object.keys(value).flatMap((key) => {
    const path = parent ? `${parent}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) return [`${path}: property ${key} should not exist`];
    return prototypeKeyProblems((value as Record<string, unknown>)[key], path);
  });
}

export function fieldMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => withPath(message, error.property, path));
    return [...own, ...fieldMessages(error.children ?? [], path)];
  });
}

function withPath(message: string, property: string, path: string): string {
  if (message.startsWith(path)) return message;
  if (message.startsWith(`${property} `) || message.startsWith(`${property}.`)) return `${path}${message.slice(property.length)}`;
  return `${path}: ${message}`;
}
