/**
 * The deploy gate of tool pinning, as the release sees it: a new version whose tools differ from the pinned ones
 * waits for an admin under the drift policy `block` (the candidate is stopped, the build kept, the deployment
 * parked as `awaiting-approval`), and is promoted once the same set of tools is approved.
 */
import type { DeploymentToolDriftView, ToolDriftChangeView } from '@mcp-proxy/shared/dto';

/** An approval of a parked deployment: it holds for exactly the candidate's tools that were shown. */
export interface ToolApproval {
  candidateHash: string;
  approvedBy: string;
  approvedAt: string | null;
}

/** The candidate may not take over before an admin approves its tool changes. */
export class ToolApprovalNeeded extends Error {
  constructor(readonly drift: DeploymentToolDriftView) {
    super(`its tools differ from the pinned ones (${describeChanges(drift.changes)}): an admin must approve them`);
    this.name = 'ToolApprovalNeeded';
  }
}

/** `echo (changed), fetch (added)`: what the log and the error say. */
export function describeChanges(changes: readonly ToolDriftChangeView[]): string {
  const shown = changes.slice(0, 10).map((change) => `${change.tool} (${change.kind})`);
  return changes.length > shown.length ? `${shown.join(', ')} and ${changes.length - shown.length} more` : shown.join(', ');
}

/** The approval recorded on a deployment, if it was approved. */
export function approvalOf(drift: DeploymentToolDriftView | null): ToolApproval | null {
  return drift?.state === 'approved'
    ? { candidateHash: drift.candidateHash, approvedBy: drift.decidedBy ?? 'admin', approvedAt: drift.decidedAt }
    : null;
}
