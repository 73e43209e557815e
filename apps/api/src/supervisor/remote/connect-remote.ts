import type { RemoteConnector } from './remote-link';
import { LegacySseLink } from './legacy-sse-link';
import { StreamableHttpLink } from './streamable-http-link';

/** The client transport a remote service asked for. */
export const connectRemote: RemoteConnector = (settings, events) =>
  settings.protocol === 'sse' ? new LegacySseLink(settings, events) : new StreamableHttpLink(settings, events);
