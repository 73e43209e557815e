/** One entry of the gateway's port-mapping table, with the types the UPnP spec gives them. */
export interface GatewayMapping {
  externalPort: number;
  protocol: 'TCP' | 'UDP';
  internalClient: string;
  internalPort: number;
  description: string;
  enabled: boolean;
  leaseSec: number;
}

/**
 * Reads a GetGenericPortMappingEntry answer. The library's XML parser turns numeric-looking text into
 * numbers (`NewEnabled` "1" becomes 1, which is why its own `getMappings()` reports every entry as
 * disabled), so every field is read whatever type it arrived as.
 */
export function toGatewayMapping(body: unknown): GatewayMapping | null {
  if (typeof body !== 'object' || body === null) return null;
  const key = Object.keys(body).find((name) => /^GetGenericPortMappingEntryResponse$/.test(name));
  const entry = key ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof entry !== 'object' || entry === null) return null;
  const field = (name: string): string => {
    const value = (entry as Record<string, unknown>)[name];
    return value === undefined || value === null ? '' : String(value).trim();
  };
  const externalPort = Number(field('NewExternalPort'));
  const internalPort = Number(field('NewInternalPort'));
  if (!Number.isInteger(externalPort) || !Number.isInteger(internalPort) || externalPort < 1 || internalPort < 1) return null;
  const enabled = field('NewEnabled').toLowerCase();
  return {
    externalPort,
    protocol: field('NewProtocol').toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
    internalClient: field('NewInternalClient'),
    internalPort,
    description: field('NewPortMappingDescription'),
    enabled: enabled === '1' || enabled === 'true',
    leaseSec: Number(field('NewLeaseDuration')) || 0,
  };
}
