/** The placement the supervisor follows: provided by ClusterLinkModule (leases in a cluster, RUN_EVERYTHING_HERE alone). */
export const CHILD_PLACEMENT = Symbol('CHILD_PLACEMENT');

/**
 * Who runs a service's children when several proxy instances share one database: the supervisor asks
 * before it starts a service and tells when it stopped one. Alone, an instance runs everything.
 */
export interface ChildPlacement {
  /** True when this instance may (now: must) run the service; false when another instance runs it. */
  claim(serviceId: string): Promise<boolean>;
  /** This instance no longer runs the service. */
  release(serviceId: string): Promise<void>;
  /** A restart asked of an instance that does not run the service: true when the owner was asked to do it. */
  restartElsewhere(serviceId: string): Promise<boolean>;
}

/** One instance: every service runs here. */
export const RUN_EVERYTHING_HERE: ChildPlacement = {
  claim: () => Promise.resolve(true),
  release: () => Promise.resolve(),
  restartElsewhere: () => Promise.resolve(false),
};
