import type { ServiceView } from '@mcp-proxy/shared/dto';
import { EnvironmentRow, environmentFromRows } from '../services/service-form/service-form.model';
import type { DeployRequestBody } from './deploy-api.service';

// Written out rather than imported (the DTO barrel carries class-validator code that must stay out
// of the browser bundle); they mirror REPOSITORY_URL_PATTERN, BRANCH_PATTERN and the entry point rule.
/** http(s), no credentials in it (GITHUB_TOKEN is for private repositories), no spaces. */
export const REPOSITORY_URL_PATTERN = /^https?:\/\/[^\s/@]+\/[^\s@]+$/;
export const BRANCH_PATTERN = /^(?!-)[\w./-]{1,200}$/;
/** A relative path inside the repository, without `..`. */
export const ENTRY_POINT_PATTERN = /^(?!\/)(?!.*\.\.)[\w./-]+$/;

export interface DeployFormValue {
  repositoryUrl: string;
  /** Empty: the repository's default branch. */
  branch: string;
  /** Empty: made from the repository's name. */
  serviceName: string;
  /** Empty: from the manifest. */
  entryPoint: string;
  allowScripts: boolean;
  /** An existing service is to run this repository instead of its own (admins only; the API refuses it otherwise). */
  replace: boolean;
  environment: EnvironmentRow[];
}

export function emptyDeployForm(): DeployFormValue {
  return { repositoryUrl: '', branch: '', serviceName: '', entryPoint: '', allowScripts: false, replace: false, environment: [] };
}

/** A redeploy of `service`: its repository, branch, name and options, no variables (they are kept). */
export function deployFormFromService(service: ServiceView): DeployFormValue {
  const repository = service.repository;
  return {
    repositoryUrl: repository?.url ?? '',
    branch: repository?.branch ?? '',
    serviceName: service.name,
    entryPoint: repository?.entryPoint ?? '',
    allowScripts: repository?.allowScripts ?? false,
    replace: false,
    environment: [],
  };
}

/**
 * The name the API gives a service when none is asked for: the repository's last path segment
 * without `.git`, lowercased, anything but letters, digits and dashes turned into dashes.
 */
export function serviceNameFromUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  const last =
    parsed.pathname
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .split('/')
      .pop() ?? '';
  const name = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return name === '' ? null : name;
}

/** `POST /api/github/deploy` body: blanks left out so the API's defaults apply. */
export function deployBodyFrom(value: DeployFormValue): DeployRequestBody {
  const body: DeployRequestBody = { repositoryUrl: value.repositoryUrl.trim() };
  const branch = value.branch.trim();
  if (branch) body.branch = branch;
  const serviceName = value.serviceName.trim();
  if (serviceName) body.serviceName = serviceName;
  const entryPoint = value.entryPoint.trim();
  if (entryPoint) body.entryPoint = entryPoint;
  if (value.allowScripts) body.allowScripts = true;
  if (value.replace) body.replace = true;
  const environment = environmentFromRows(value.environment);
  if (Object.keys(environment).length > 0) body.environment = environment;
  return body;
}
