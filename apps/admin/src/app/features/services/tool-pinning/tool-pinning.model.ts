import type { DriftPolicy, ServiceToolPinsView } from '@mcp-proxy/shared/dto';

/** What the policy does with a change while it waits, in a sentence. */
export const POLICY_EFFECTS: Record<DriftPolicy, string> = {
  warn: 'Drift policy "warn": changed and new tools are served as the server lists them until you decide.',
  block: 'Drift policy "block": changed and new tools are held back (not listed, calls refused) until an admin approves them.',
  off: 'Drift policy "off": tools are not compared with the pins.',
};

/** The service page's banner while changes wait; null when none does. */
export function pendingBanner(pins: ServiceToolPinsView | null): string | null {
  const count = pins?.pending.length ?? 0;
  if (!pins || count === 0) return null;
  const what = `${count} tool change${count === 1 ? '' : 's'} since the tools were pinned`;
  const tools = [...new Set(pins.pending.map((change) => change.tool))].slice(0, 5).join(', ');
  const effect = pins.driftPolicy === 'block' ? 'held back until an admin approves' : 'served, not reviewed yet';
  return `${what} (${tools}): ${effect}.`;
}
