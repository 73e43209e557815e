import type { Test } from 'supertest';
import type { RuntimeView } from '../../src/services/service-view.mapper';
import type { RunningApp } from './running-app';

/**
 * Configuration as code in the e2e specs: sending a file to the import endpoint, and comparing what
 * two proxies hold once one has imported the other's export (runtime facts and ids aside).
 */

/** POST /api/config/import of a YAML file as the admin; the caller checks the answer. */
export function importConfig(running: RunningApp, yaml: string): Test {
  return running.api().post('/api/config/import').set('X-API-Key', running.env.apiKey).set('Content-Type', 'application/yaml').send(yaml);
}

type Differing = 'id' | 'createdAt' | 'updatedAt' | keyof RuntimeView;

/** A service (or group) view without what differs between two proxies: ids, times and runtime facts (the sandbox holds the data directory's path). */
export function withoutRuntimeFacts<View extends object>(view: View): Omit<View, Differing> {
  const {
    id: _id,
    createdAt: _c,
    updatedAt: _u,
    status: _st,
    pid: _p,
    restarts: _r,
    startedAt: _s,
    lastExitCode: _l,
    statusReason: _sr,
    lastExitReason: _le,
    sandbox: _sb,
    instance: _in,
    ...rest
  } = view as View & Partial<Record<Differing, unknown>>;
  return rest;
}
