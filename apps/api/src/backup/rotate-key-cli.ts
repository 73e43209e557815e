/**
 * `rotate-key`: reseals every value kept under ENCRYPTION_KEY (services' environments, remote headers,
 * deployments' variables, OAuth signing keys, certificate and ACME account keys) from an old key to a new
 * one, with the proxy stopped. Used on purpose (a new key, generated), or to finish a change of key: after
 * a restore onto another host, a lost secrets.json, or a rotation rolled out with ENCRYPTION_KEY_PREVIOUS.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource, type ObjectLiteral } from 'typeorm';
import { type AppEnv, InvalidSettingValue, parseEnvValue } from '../core/config/env.schema';
import { encryptionKeyBytes, SECRETS_FILE, storedEncryptionKey, storeEncryptionKey } from '../core/config/secrets';
import { SealedValueError, SecretBox } from '../core/crypto/secret-box';
import { dataSourceOptions } from '../core/database/data-source-options';
import { ENTITIES } from '../entities';
import { DeploymentEntity } from '../deploy/deployment.entity';
import { OAuthSigningKeyEntity } from '../oauth/oauth.entities';
import { ServiceRemoteEntity } from '../services/service-remote.entity';
import { UpstreamClientEntity, UpstreamConnectionEntity } from '../upstream-auth/upstream-auth.entities';
import { ServiceEntity } from '../services/service.entity';
import { proxyAnswers } from './backup-cli';

export const ROTATE_KEY_USAGE = 'Usage: main.js rotate-key [--old-key=<key>] [--new-key=<key>] [--force]';

/** The sealed columns of the schema, and how a row is named in the report. */
const SEALED_COLUMNS: {
  entity: new () => ObjectLiteral;
  column: string;
  label: (row: ObjectLiteral) => string;
}[] = [
  {
    entity: ServiceEntity,
    column: 'environmentSealed',
    label: (row) => `the environment of service "${String(row['name'])}"`,
  },
  {
    entity: ServiceRemoteEntity,
    column: 'headersSealed',
    label: (row) => `the remote headers of service ${String(row['serviceId'])}`,
  },
  {
    entity: ServiceRemoteEntity,
    column: 'oauthSealed',
    label: (row) => `the remote OAuth settings of service ${String(row['serviceId'])}`,
  },
  {
    entity: UpstreamConnectionEntity,
    column: 'tokensSealed',
    label: (row) => `the upstream OAuth tokens ${String(row['id'])}`,
  },
  {
    entity: UpstreamClientEntity,
    column: 'clientSealed',
    label: (row) => `the upstream OAuth client of service ${String(row['serviceId'])}`,
  },
  {
    entity: DeploymentEntity,
    column: 'environmentSealed',
    label: (row) => `the variables of deployment ${String(row['id'])}`,
  },
  {
    entity: OAuthSigningKeyEntity,
    column: 'privateKeySealed',
    label: (row) => `OAuth signing key ${String(row['id'])}`,
  },
];

interface Tally {
  resealed: number;
  already: number;
  unreadable: string[];
}

/** Returns the exit code: 0 done, 1 refused or some value could not be opened, 2 bad usage. */
export async function runRotateKeyCli(args: string[], env: AppEnv, print: (line: string) => void): Promise<number> {
  const unknown = args.filter((arg) => !/^--(old-key|new-key)=/.test(arg) && arg !== '--force');
  if (unknown.length > 0) {
    print(`Unknown argument ${unknown.join(' ')}. ${ROTATE_KEY_USAGE}`);
    return 2;
  }
  const dataDir = resolve(env.DATA_DIR);
  let oldFlag: string | undefined;
  let newFlag: string | undefined;
  try {
    oldFlag = keyFlag(args, 'old-key');
    newFlag = keyFlag(args, 'new-key');
  } catch (error) {
    print(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (!args.includes('--force') && (await proxyAnswers(env.BACKEND_PORT))) {
    print(`A proxy answers on port ${env.BACKEND_PORT}: stop it before rotating the key (or pass --force if that is another program).`);
    return 1;
  }

  const stored = storedEncryptionKey(dataDir);
  const current = env.ENCRYPTION_KEY ?? stored;
  const oldKey = oldFlag ?? env.ENCRYPTION_KEY_PREVIOUS ?? current;
  if (!oldKey) {
    print(
      `No encryption key to rotate from: ENCRYPTION_KEY is unset and ${join(dataDir, SECRETS_FILE)} holds none (pass --old-key=<key>).`,
    );
    return 1;
  }
  // Finishing a change (the old key given apart from the current one) reseals under the current key; otherwise a new one.
  const newKey = newFlag ?? (current && current !== oldKey ? current : randomBytes(32).toString('hex'));
  if (encryptionKeyBytes(oldKey).equals(encryptionKeyBytes(newKey))) {
    print('The old and the new key are the same: nothing to do (give --new-key=<key>, or leave it out to have one generated).');
    return 2;
  }

  const from = new SecretBox({ encryptionKey: encryptionKeyBytes(oldKey) });
  const to = new SecretBox({ encryptionKey: encryptionKeyBytes(newKey) });
  const tally: Tally = { resealed: 0, already: 0, unreadable: [] };
  await resealDatabase(env.DATABASE_URL, from, to, tally);
  resealCertificateFiles(join(dataDir, 'certs'), from, to, tally);

  print(`Resealed ${tally.resealed} values with the new key${tally.already > 0 ? ` (${tally.already} were sealed with it already)` : ''}.`);
  if (env.ENCRYPTION_KEY === undefined) {
    if (stored !== newKey) storeEncryptionKey(dataDir, newKey);
    print(
      `The new key is in ${join(dataDir, SECRETS_FILE)}.${env.ENCRYPTION_KEY_PREVIOUS ? ' Remove ENCRYPTION_KEY_PREVIOUS before the next start.' : ''}`,
    );
  } else if (env.ENCRYPTION_KEY !== newKey) {
    print(`Set ENCRYPTION_KEY=${newKey} (and remove ENCRYPTION_KEY_PREVIOUS) before the next start.`);
  } else if (env.ENCRYPTION_KEY_PREVIOUS) {
    print('Remove ENCRYPTION_KEY_PREVIOUS before the next start: nothing is sealed with it any more.');
  }
  if (tally.unreadable.length > 0) {
    print(
      `Neither key opens ${tally.unreadable.length} values, left as they were: ${tally.unreadable.join('; ')}. Re-enter them, or run again with --old-key=<the key they were sealed with>.`,
    );
    return 1;
  }
  return 0;
}

/** Everything in one transaction: a failure part-way leaves the database as it was. */
async function resealDatabase(databaseUrl: string, from: SecretBox, to: SecretBox, tally: Tally): Promise<void> {
  const source = await new DataSource({
    ...dataSourceOptions(databaseUrl, ENTITIES),
    migrationsRun: true,
  }).initialize();
  try {
    await source.transaction(async (manager) => {
      for (const { entity, column, label } of SEALED_COLUMNS) {
        const metadata = source.getMetadata(entity);
        for (const row of await manager.find(entity)) {
          const sealed = row[column] as string | null;
          if (!sealed) continue;
          const next = reseal(sealed, from, to, tally, () => label(row));
          // By primary key, whatever its column (service_remotes' is serviceId); updatedAt stays: no setting changed.
          if (next === sealed) continue;
          const keepUpdatedAt = metadata.updateDateColumn
            ? {
                [metadata.updateDateColumn.propertyName]: () => `"${metadata.updateDateColumn?.databaseName}"`,
              }
            : {};
          const id = metadata.getEntityIdMap(row);
          if (!id) throw new Error(`${label(row)}: the row has no primary key`);
          await manager
            .createQueryBuilder()
            .update(entity)
            .set({ [column]: next, ...keepUpdatedAt })
            .where(id)
            .execute();
        }
      }
    });
  } finally {
    await source.destroy();
  }
}

/** Certificate and ACME account files: each rewritten whole (temporary file, then rename), mode 0600. */
function resealCertificateFiles(dir: string, from: SecretBox, to: SecretBox, tally: Tally): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.json'))) {
    const file = join(dir, name);
    const content = JSON.parse(readFileSync(file, 'utf8')) as {
      sealedKey?: unknown;
    };
    if (typeof content.sealedKey !== 'string') continue;
    const next = reseal(content.sealedKey, from, to, tally, () => `the key in ${file}`);
    if (next === content.sealedKey) continue;
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ ...content, sealedKey: next }, null, 2), { mode: 0o600 });
    renameSync(temporary, file);
  }
}

/** The value sealed with the new key; unchanged when it already is, or when the old key does not open it either. */
function reseal(sealed: string, from: SecretBox, to: SecretBox, tally: Tally, label: () => string): string {
  try {
    if (to.opensWithCurrentKey(sealed)) {
      tally.already++;
      return sealed;
    }
    const resealed = to.encrypt(from.decrypt(sealed));
    tally.resealed++;
    return resealed;
  } catch (error) {
    if (!(error instanceof SealedValueError)) throw error;
    tally.unreadable.push(label());
    return sealed;
  }
}

function keyFlag(args: string[], name: string): string | undefined {
  const arg = args.find((candidate) => candidate.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  try {
    return parseEnvValue('ENCRYPTION_KEY', arg.slice(name.length + 3));
  } catch (error) {
    if (error instanceof InvalidSettingValue) throw new Error(`--${name} ${error.rule}`);
    throw error;
  }
}
