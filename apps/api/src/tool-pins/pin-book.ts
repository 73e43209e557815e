/**
 * The pinned tools of every service, in memory, and the comparison of what a server lists with them. Pure and
 * synchronous: the proxy asks it on every `tools/list` answer from a server and every `tools/call` under `block`,
 * so it never reads the database; the guard (tool-pin-guard.service.ts) loads it and writes what it finds.
 */
import type { ToolChangeKind, ToolDefinitionView } from '@mcp-proxy/shared/dto';
import type { HeldTools, ToolListPage } from '../proxy/upstream/tool-pin-guard';
import type { ListedTool } from './tool-fingerprint';

/** A recorded change still open (pending or rejected): from the pinned fingerprint to the listed one (null: none). */
export interface OpenChange {
  tool: string;
  from: string | null;
  to: string | null;
  status: 'pending' | 'rejected';
}

/** A service's pins as stored. `established`: its tools were seen before (pins or changes exist), so nothing is pinned silently. */
export interface PinSnapshot {
  pins: { name: string; fingerprint: string }[];
  open: OpenChange[];
  established: boolean;
}

/** A change seen now, not recorded before. */
export interface DetectedChange {
  tool: string;
  kind: ToolChangeKind;
  from: string | null;
  to: string | null;
  /** The listed definition (null for a removed tool). */
  definition: ToolDefinitionView | null;
}

/** What one `tools/list` page showed that must be written down. */
export interface Observation {
  /** The first sight of the service's tools: pinned as they are. */
  baseline: ListedTool[];
  changes: DetectedChange[];
  /** Pending changes of these tools the server moved away from; `current` is the transition it shows now (null: none). */
  superseded: { tool: string; current: { from: string | null; to: string | null } | null }[];
}

class ServicePins implements HeldTools {
  pinned = new Map<string, string>();
  open = new Map<string, OpenChange[]>();
  established = false;
  /** Pinning a first sight that spans several pages, until the last one. */
  baselining = false;
  /** The fingerprint each tool was last listed with: what this instance serves. */
  readonly served = new Map<string, string>();
  private unapproved = new Set<string>();

  has(name: string): boolean {
    // Under `block` a name that was never pinned is not served either, even before any list showed it.
    return this.unapproved.has(name) || (this.established && !this.baselining && !this.pinned.has(name));
  }

  recount(): void {
    this.unapproved = new Set(
      [...this.served].filter(([name, fingerprint]) => this.pinned.get(name) !== fingerprint).map(([name]) => name),
    );
  }
}

export class PinBook {
  private readonly services = new Map<string, ServicePins>();

  /** Replaces a service's pins and open changes with the stored ones (what it last listed is kept). */
  load(serviceId: string, snapshot: PinSnapshot): void {
    const state = this.stateOf(serviceId);
    state.pinned = new Map(snapshot.pins.map((pin) => [pin.name, pin.fingerprint]));
    state.open = new Map();
    for (const change of snapshot.open) state.open.set(change.tool, [...(state.open.get(change.tool) ?? []), change]);
    state.established = snapshot.established || state.pinned.size > 0;
    if (state.established) state.baselining = false;
    state.recount();
  }

  forget(serviceId: string): void {
    this.services.delete(serviceId);
  }

  /** The service's unapproved tools, or null while nothing was ever pinned for it. */
  held(serviceId: string): HeldTools | null {
    const state = this.services.get(serviceId);
    return state?.established ? state : null;
  }

  /** Compares a listed page with the pins; remembers what it records so the same change is recorded once. */
  observe(serviceId: string, listed: readonly ListedTool[], page: ToolListPage): Observation {
    const state = this.stateOf(serviceId);
    const observation: Observation = { baseline: [], changes: [], superseded: [] };
    if (!state.established || state.baselining) {
      for (const tool of listed) {
        state.served.set(tool.name, tool.fingerprint);
        if (state.pinned.has(tool.name)) continue;
        state.pinned.set(tool.name, tool.fingerprint);
        observation.baseline.push(tool);
      }
      state.established = true;
      state.baselining = !page.last;
      state.recount();
      return observation;
    }
    for (const tool of listed) {
      state.served.set(tool.name, tool.fingerprint);
      this.compare(state, tool.name, tool.fingerprint, tool.definition, observation);
    }
    if (page.first && page.last) {
      const names = new Set(listed.map((tool) => tool.name));
      for (const name of [...state.served.keys()]) if (!names.has(name)) state.served.delete(name);
      for (const name of state.pinned.keys()) if (!names.has(name)) this.compare(state, name, null, null, observation);
      // A new tool recorded earlier that is gone again: nothing left to decide.
      for (const name of [...state.open.keys()])
        if (!names.has(name) && !state.pinned.has(name)) this.settle(state, name, null, observation);
    }
    state.recount();
    return observation;
  }

  /** One tool against its pin: nothing, a known change, or a new one (and stale pending ones superseded). */
  private compare(
    state: ServicePins,
    name: string,
    to: string | null,
    definition: ToolDefinitionView | null,
    observation: Observation,
  ): void {
    const from = state.pinned.get(name) ?? null;
    if (from === to) return this.settle(state, name, null, observation);
    const current = { from, to };
    this.settle(state, name, current, observation);
    const open = state.open.get(name) ?? [];
    if (open.some((change) => change.from === from && change.to === to)) return;
    state.open.set(name, [...open, { tool: name, from, to, status: 'pending' }]);
    observation.changes.push({ tool: name, kind: to === null ? 'removed' : from === null ? 'added' : 'changed', from, to, definition });
  }

  /** Pending changes of the tool other than `current` no longer describe what the server lists. */
  private settle(
    state: ServicePins,
    name: string,
    current: { from: string | null; to: string | null } | null,
    observation: Observation,
  ): void {
    const open = state.open.get(name);
    if (!open) return;
    const stale = (change: OpenChange): boolean =>
      change.status === 'pending' && !(current && change.from === current.from && change.to === current.to);
    if (!open.some(stale)) return;
    observation.superseded.push({ tool: name, current });
    const kept = open.filter((change) => !stale(change));
    if (kept.length > 0) state.open.set(name, kept);
    else state.open.delete(name);
  }

  private stateOf(serviceId: string): ServicePins {
    let state = this.services.get(serviceId);
    if (!state) {
      state = new ServicePins();
      this.services.set(serviceId, state);
    }
    return state;
  }
}
