import { IsBoolean, IsNotIn, IsOptional, IsString, Matches, MaxLength, Validate } from 'class-validator';
import { ServiceEnvironmentConstraint } from './environment.validator';
import { RESERVED_SERVICE_NAMES, RESERVED_SERVICE_NAMES_TEXT } from './routes';
import { REPOSITORY_URL_PATTERN, SERVICE_NAME_PATTERN } from './service.dto';

export const BRANCH_PATTERN = /^(?!-)[\w./-]{1,200}$/;

/** `POST /api/github/deploy`: deploy a repository as a new service, or redeploy an existing one. */
export class DeployRequestDto {
  @MaxLength(500)
  @Matches(REPOSITORY_URL_PATTERN, {
    message: 'repositoryUrl must be an http(s) URL without credentials (set GITHUB_TOKEN for private repositories)',
  })
  @IsString()
  repositoryUrl!: string;

  /** Default: the repository's default branch. */
  @IsOptional()
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch name' })
  branch?: string;

  /** Default: the repository's name, lowercased. An existing service of that name is redeployed. */
  @IsOptional()
  @Matches(SERVICE_NAME_PATTERN, {
    message: 'serviceName must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit',
  })
  @IsNotIn([...RESERVED_SERVICE_NAMES], { message: `serviceName must not be a reserved word (${RESERVED_SERVICE_NAMES_TEXT})` })
  serviceName?: string;

  /** Variables for the server; merged over an existing service's when the deploy succeeds. */
  @IsOptional()
  @Validate(ServiceEnvironmentConstraint)
  environment?: Record<string, string>;

  /** Run the dependencies' install scripts (`npm ci` without `--ignore-scripts`). Default false. */
  @IsOptional()
  @IsBoolean()
  allowScripts?: boolean;

  /** Overrides the manifest's entry point (a file in the repository, run with node). */
  @IsOptional()
  @MaxLength(300)
  @Matches(/^(?!\/)(?!.*\.\.)[\w./-]+$/, { message: 'entryPoint must be a relative path inside the repository' })
  entryPoint?: string;

  /**
   * Confirms that an existing service is to run another repository's code (or, for a service that
   * was not deployed, code from a repository at all): admins only, audited as `deploy.replace`.
   * Not needed to redeploy the repository the service runs.
   */
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}
