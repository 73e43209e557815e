import { BadGatewayException, BadRequestException, NotFoundException } from '@nestjs/common';
import { RegistryEntryNotFoundError, RegistryRequestRefusedError, RegistryUnavailableError } from './registry-client';

/** The registry's failures as API answers: an unknown entry is a 404, a request it refused (a stale cursor) a 400, a registry that cannot be asked a 502 naming why. */
export async function askingRegistry<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RegistryEntryNotFoundError) throw new NotFoundException(capitalized(error.message));
    if (error instanceof RegistryRequestRefusedError) throw new BadRequestException([capitalized(error.message)]);
    if (error instanceof RegistryUnavailableError) throw new BadGatewayException(capitalized(error.message));
    throw error;
  }
}

function capitalized(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
