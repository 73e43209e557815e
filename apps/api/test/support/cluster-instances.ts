import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, RunningApp, startBuiltApi, waitForOk } from './built-app';
import type { TestEnv } from './test-env';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** One built proxy of a test cluster. */
export interface ClusterInstance {
  id: string;
  url: string;
  app: RunningApp;
}

export interface ClusterSetting {
  env: TestEnv;
  databaseUrl: string;
  /** CLUSTER_KEY_PREFIX and DEPLOY_QUEUE_PREFIX: this test's own keys on the shared Redis. */
  prefix: string;
  leaseTtlSec: number;
}

/**
 * Starts instance `id` of a cluster on one PostgreSQL and one Redis, on loopback ports of its own, with its own
 * data and log dirs, and waits for its /health.
 */
export async function startClusterInstance(setting: ClusterSetting, id: string): Promise<ClusterInstance> {
  const { env, databaseUrl, prefix, leaseTtlSec } = setting;
  const [backend, frontend] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${backend}`;
  const app = startBuiltApi({
    ...env.vars,
    DATA_DIR: join(env.dir, id, 'data'),
    LOG_DIR: join(env.dir, id, 'logs'),
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    CLUSTER_KEY_PREFIX: prefix,
    DEPLOY_QUEUE_PREFIX: prefix,
    INSTANCE_ID: id,
    INSTANCE_URL: url,
    LEASE_TTL_SEC: String(leaseTtlSec),
    BACKEND_PORT: String(backend),
    FRONTEND_PORT: String(frontend),
    HOST: '127.0.0.1',
  });
  await waitForOk(`${url}/health`, 60_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${app.output()}`);
  });
  return { id, url, app };
}

/** The parent of a process, read from /proc. */
export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Processes (of this user) that carry a deployment's marker variable: whatever runs of its build. */
export function processesOfDeployment(deploymentId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`MCP_PROXY_DEPLOYMENT=${deploymentId}`))
        pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** Whether `pid` descends from the process `ancestor` (the child may sit under a sandbox wrapper). */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = pid, hops = 0; current > 1 && hops < 12; hops++) {
    if (current === ancestor) return true;
    current = parentOf(current);
  }
  return false;
}
