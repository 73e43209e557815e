import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** Whitelisting pipe whose 400 lists one message per invalid field, each naming its full path. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(fieldMessages(errors)),
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
  if (message.startsWith(`${property} `)) return `${path}${message.slice(property.length)}`;
  return `${path}: ${message}`;
}
