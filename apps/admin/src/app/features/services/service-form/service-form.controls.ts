import { AbstractControl, FormArray, FormControl, FormGroup, ValidationErrors, ValidatorFn, Validators } from '@angular/forms';
import type {
  DriftPolicy,
  IsolationMode,
  RemoteAuthMode,
  RemoteOAuthConnection,
  RemoteProtocol,
  ResponseMode,
  SandboxFilesystemMode,
  SandboxUserMode,
  ServiceAuthMode,
  ServiceTransport,
} from '@mcp-proxy/shared/dto';
import {
  ENV_KEY_PATTERN,
  EnvironmentRow,
  HEADER_LINE_PATTERN,
  PROXY_PATH_PATTERN,
  RESERVED_NAMES,
  SERVICE_NAME_PATTERN,
} from './service-form.model';

/**
 * The reactive form of the service page: its controls with their validators, and the words of each
 * validation error. Kept apart from the page so the page and its sections share one typed form.
 */

export type EnvironmentRowGroup = FormGroup<{ key: FormControl<string>; value: FormControl<string> }>;

const text = (value = '', ...validators: ValidatorFn[]): FormControl<string> => new FormControl(value, { nonNullable: true, validators });
const integer = (min: number, max: number): FormControl<number | null> =>
  new FormControl<number | null>(null, [Validators.min(min), Validators.max(max), wholeNumber]);

export function createServiceForm() {
  return new FormGroup({
    name: text('', Validators.required, Validators.pattern(SERVICE_NAME_PATTERN), notReserved),
    transport: new FormControl<ServiceTransport>('stdio', { nonNullable: true }),
    process: new FormGroup({
      command: text('', Validators.required, Validators.maxLength(1000)),
      args: text(),
      cwd: text('', Validators.maxLength(1000)),
      port: integer(1, 65_535),
      isolation: new FormControl<IsolationMode>('shared', { nonNullable: true }),
      autoRestart: new FormControl(true, { nonNullable: true }),
      maxRestarts: integer(0, 1000),
      restartWindowSec: integer(10, 86_400),
      healthCheckIntervalSec: integer(0, 3600),
      memoryLimitMb: integer(16, 1_048_576),
      maxSessions: integer(1, 1000),
      sessionIdleTimeoutSec: integer(10, 86_400),
      poolMin: integer(0, 100),
      poolMax: integer(1, 1000),
      limits: new FormGroup({
        memoryMb: integer(0, 1_048_576),
        cpuPercent: integer(0, 100_000),
        maxProcesses: integer(0, 1_000_000),
        maxOpenFiles: integer(0, 1_048_576),
        cpuSeconds: integer(0, 31_536_000),
        addressSpaceMb: integer(0, 1_048_576),
      }),
      sandboxUser: new FormControl<'default' | SandboxUserMode>('default', { nonNullable: true }),
      sandboxFilesystem: new FormControl<'default' | SandboxFilesystemMode>('default', { nonNullable: true }),
    }),
    proxy: new FormGroup({
      path: text('', Validators.pattern(PROXY_PATH_PATTERN)),
      rateLimit: integer(0, 1_000_000),
      toolLimits: text('', toolLimitLines),
      cache: new FormControl(true, { nonNullable: true }),
      toolResultTtlSec: integer(0, 86_400),
      requestTimeoutSec: integer(1, 3600),
      responseMode: new FormControl<ResponseMode>('auto', { nonNullable: true }),
      auth: new FormControl<ServiceAuthMode>('apiKey', { nonNullable: true }),
      driftPolicy: new FormControl<DriftPolicy>('warn', { nonNullable: true }),
    }),
    remote: new FormGroup({
      url: text('', Validators.maxLength(2000), Validators.pattern(/^https?:\/\/\S+$/)),
      protocol: new FormControl<RemoteProtocol>('streamable-http', { nonNullable: true }),
      headers: text('', headerLines),
      allowInsecureHttp: new FormControl(false, { nonNullable: true }),
      auth: new FormControl<RemoteAuthMode>('headers', { nonNullable: true }),
      connection: new FormControl<RemoteOAuthConnection>('perUser', { nonNullable: true }),
      clientId: text('', Validators.maxLength(500)),
      clientSecret: text('', Validators.maxLength(2000)),
      scopes: text('', Validators.maxLength(2000)),
    }),
    environment: new FormArray<EnvironmentRowGroup>([], uniqueKeys),
    callLogPayloads: new FormControl(false, { nonNullable: true }),
    start: new FormControl(false, { nonNullable: true }),
  });
}

export type ServiceForm = ReturnType<typeof createServiceForm>;

/**
 * One environment variable row. When replacing stored variables, every value must be entered again:
 * an empty one would silently wipe a secret the user cannot see.
 */
export function environmentRowGroup(row: EnvironmentRow, editing: boolean): EnvironmentRowGroup {
  const valueValidators = editing ? [Validators.required] : [];
  return new FormGroup({
    key: text(row.key, Validators.required, Validators.pattern(ENV_KEY_PATTERN)),
    value: text(row.value, ...valueValidators, Validators.maxLength(32 * 1024)),
  });
}

/** The words under a field for its first error; null for none (or a pattern, which each field explains itself). */
export function controlError(control: AbstractControl): string | null {
  const errors = control.errors;
  if (!errors) return null;
  if (errors['server']) return (errors['server'] as string[]).join('; ');
  if (errors['required']) return 'Required';
  if (errors['reserved']) return 'This word is reserved by the proxy';
  if (errors['pattern']) return null;
  if (errors['min']) return `At least ${(errors['min'] as { min: number }).min}`;
  if (errors['max']) return `At most ${(errors['max'] as { max: number }).max}`;
  if (errors['wholeNumber']) return 'A whole number';
  if (errors['toolLimitLines']) return `Not a "tool: calls per minute" line: ${(errors['toolLimitLines'] as string[])[0]}`;
  if (errors['headerLines']) return `Not a "Name: value" line: ${(errors['headerLines'] as string[])[0]}`;
  if (errors['maxlength']) return 'Too long';
  return 'Invalid value';
}

function notReserved(control: AbstractControl<string>): ValidationErrors | null {
  return RESERVED_NAMES.includes(control.value.trim()) ? { reserved: true } : null;
}

function wholeNumber(control: AbstractControl<number | null>): ValidationErrors | null {
  const value = control.value;
  return value === null || Number.isInteger(value) ? null : { wholeNumber: true };
}

function headerLines(control: AbstractControl<string>): ValidationErrors | null {
  const bad = control.value
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line && !HEADER_LINE_PATTERN.test(line));
  return bad.length > 0 ? { headerLines: bad } : null;
}

function toolLimitLines(control: AbstractControl<string>): ValidationErrors | null {
  const bad = control.value
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line && !/^[^:]+:\s*[1-9]\d{0,6}$/.test(line));
  return bad.length > 0 ? { toolLimitLines: bad } : null;
}

function uniqueKeys(control: AbstractControl): ValidationErrors | null {
  const rows = (control as FormArray<EnvironmentRowGroup>).controls.map((row) => row.controls.key.value.trim());
  const duplicates = rows.filter((key, index) => key && rows.indexOf(key) !== index);
  return duplicates.length > 0 ? { duplicateKeys: [...new Set(duplicates)] } : null;
}
