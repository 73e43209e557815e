import { Injectable } from '@nestjs/common';
import type { ToolDriftChangeView } from '@mcp-proxy/shared/dto';
import type { DetectedChange } from './pin-book';
import { diffTools } from './tool-diff';
import { listedTools, toolSetHash, type ListedTool } from './tool-fingerprint';
import { ToolPinKeeper } from './tool-pin-keeper';
import { ToolPinStore } from './tool-pin-store';

/** How a deployment's candidate lists its tools against the service's pins. */
export interface CandidateDrift {
  changes: ToolDriftChangeView[];
  /** What an approval of this candidate holds for: exactly these tools. */
  candidateHash: string;
  /** The candidate's tools, to pin when it takes over. */
  listed: ListedTool[];
  detected: DetectedChange[];
}

/**
 * Tool pinning at the deploy gate: the pipeline's MCP check lists the new version's tools before it takes over;
 * here they are compared with the pins in the database (the deploy may run on another instance than the service).
 * Under `block` an approved candidate's tools become the pins as it takes over; under `warn` its changes are
 * recorded for review like those seen while serving.
 */
@Injectable()
export class DeployToolGate {
  constructor(
    private readonly store: ToolPinStore,
    private readonly keeper: ToolPinKeeper,
  ) {}

  /** Null when nothing differs, or nothing was pinned yet (a first deploy: its tools are pinned when first listed). */
  async assess(serviceId: string, tools: readonly unknown[]): Promise<CandidateDrift | null> {
    const [pins, snapshot] = await Promise.all([this.store.pinsOf(serviceId), this.store.snapshot(serviceId)]);
    if (!snapshot.established && pins.length === 0) return null;
    const listed = listedTools(tools);
    const pinned = new Map(pins.map((pin) => [pin.toolName, pin]));
    const changes: ToolDriftChangeView[] = [];
    const detected: DetectedChange[] = [];
    for (const tool of listed) {
      const pin = pinned.get(tool.name);
      if (pin?.fingerprint === tool.fingerprint) continue;
      const kind = pin ? 'changed' : 'added';
      changes.push({
        tool: tool.name,
        kind,
        previous: pin?.definition ?? null,
        current: tool.definition,
        diff: diffTools(pin?.definition ?? null, tool.definition),
      });
      detected.push({ tool: tool.name, kind, from: pin?.fingerprint ?? null, to: tool.fingerprint, definition: tool.definition });
    }
    const names = new Set(listed.map((tool) => tool.name));
    for (const pin of pins) {
      if (names.has(pin.toolName)) continue;
      changes.push({ tool: pin.toolName, kind: 'removed', previous: pin.definition, current: null, diff: diffTools(pin.definition, null) });
      detected.push({ tool: pin.toolName, kind: 'removed', from: pin.fingerprint, to: null, definition: null });
    }
    return changes.length === 0 ? null : { changes, candidateHash: toolSetHash(listed), listed, detected };
  }

  /** The approved candidate takes over: its tools are the pins from now on, on every instance. */
  pinDeployed(serviceId: string, drift: CandidateDrift, approvedBy: string): Promise<void> {
    return this.keeper.pinDeployed(serviceId, drift.listed, approvedBy);
  }

  /** Promoted under `warn`: the changes wait for review, linked to the deployment. */
  recordDeployed(service: { id: string; name: string }, drift: CandidateDrift, deploymentId: string): Promise<void> {
    return this.keeper.recordDeployChanges(service, drift.detected, deploymentId);
  }
}
