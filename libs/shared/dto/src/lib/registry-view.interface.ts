/**
 * What the portal shows of an MCP Registry (the catalog) and of the services installed from it. A registry
 * entry is a `server.json` record; each of its packages and remotes is one way to install it (an option).
 */

/** How an option runs: a package started by a runner (npx, uvx, a container engine), or a remote endpoint. */
export const REGISTRY_OPTION_KINDS = ['npm', 'pypi', 'oci', 'remote', 'other'] as const;
export type RegistryOptionKind = (typeof REGISTRY_OPTION_KINDS)[number];

export const REGISTRY_FIELD_KINDS = ['environment', 'argument', 'header', 'url-variable'] as const;
export type RegistryFieldKind = (typeof REGISTRY_FIELD_KINDS)[number];

/** One value the user gives when installing: an environment variable, a command-line argument, a header, a URL variable. */
export interface RegistryFieldView {
  /** The key of `values` in an install request (`env.API_KEY`, `arg.package.0`, `header.0.Authorization`, `url.0.tenant`). */
  key: string;
  kind: RegistryFieldKind;
  /** A variable's or header's name, an argument's flag or value hint. */
  label: string;
  description: string | null;
  required: boolean;
  /** Entered in a masked field, stored sealed (environment) and never shown again. */
  secret: boolean;
  default: string | null;
  /** When given, the value must be one of these. */
  choices: string[] | null;
  /** `string`, `number`, `boolean` or `filepath`, as the record says. */
  format: string;
  placeholder: string | null;
}

/** One way to install an entry: a package or a remote. */
export interface RegistryOptionView {
  /** `package:<index>` or `remote:<index>`, as the record lists them. */
  id: string;
  kind: RegistryOptionKind;
  /** The record's `registryType` (npm, pypi, oci, nuget, mcpb …); null for a remote. */
  registryType: string | null;
  /** A package name or image reference; a remote's URL (template). */
  identifier: string;
  /** The package's own version; null for remotes and images whose tag is in the identifier. */
  version: string | null;
  /** The runner that starts it (`npx`, `uvx`, `docker`, `podman`); null for a remote. */
  runtime: string | null;
  /** How the server speaks: `stdio` for a local process; `streamable-http` or `sse` for a remote. */
  transport: string;
  /** Whether a version is fixed (a package version, an image tag or digest). */
  pinned: boolean;
  installable: boolean;
  /** Why it cannot be installed here (no container engine, a runner this proxy does not use …); null when it can. */
  reason: string | null;
  /** The command line it would run, with placeholders for the values the user gives (`<API_KEY>`); null for a remote. */
  preview: string | null;
  fields: RegistryFieldView[];
}

export interface RegistryServerView {
  /** Reverse-DNS name, unique in the registry (`io.github.owner/server`). */
  name: string;
  title: string | null;
  description: string;
  version: string;
  /** The registry's lifecycle status (`active`, `deprecated`, `deleted`); null when it gives none. */
  status: string | null;
  statusMessage: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  isLatest: boolean | null;
  websiteUrl: string | null;
  repositoryUrl: string | null;
  options: RegistryOptionView[];
  /** Services of this proxy installed from this entry (only those the caller may see). */
  installedAs: { service: string; version: string }[];
}

/** `GET /api/registry`: whether a registry is configured, and which. */
export interface RegistryStatusView {
  enabled: boolean;
  /** REGISTRY_URL; null when disabled. */
  url: string | null;
  /** The API path used (`/v0.1` or `/v0`), once known; null before the first request or when disabled. */
  apiVersion: string | null;
  /** A plain sentence for the portal when the catalog is hidden. */
  note: string | null;
  /** Whether the caller may install (the role and service limits allow creating services). */
  mayInstall: boolean;
}

/** `GET /api/registry/servers`: one page of the catalog. */
export interface RegistryServerPageView {
  servers: RegistryServerView[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** Where an installed service came from, and whether the registry has a newer version. */
export interface RegistryInstallView {
  serviceId: string;
  serviceName: string;
  /** The registry entry's name. */
  server: string;
  version: string;
  option: string;
  kind: RegistryOptionKind;
  installedAt: string;
  /** The version before the last update, which rollback restores; null when there is none. */
  previousVersion: string | null;
  /** The registry's latest version; null when it could not be asked (see `checkError`). */
  latestVersion: string | null;
  updateAvailable: boolean;
  /** Why the latest version is unknown (registry unreachable, entry gone); null otherwise. */
  checkError: string | null;
}
