import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddClientTokensAndOAuth1795669876834 implements MigrationInterface {
  name = 'AddClientTokensAndOAuth1795669876834';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "client_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "label" varchar(100) NOT NULL, "tokenHash" varchar(64) NOT NULL, "prefix" varchar(16) NOT NULL, "services" text, "tools" text, "lastUsedAt" datetime, "revokedAt" datetime, CONSTRAINT "UQ_e6291b3a9c45177df260380a004" UNIQUE ("tokenHash"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_clients" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "name" varchar(200) NOT NULL, "redirectUris" text NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_authorizations" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "clientId" varchar(36) NOT NULL, "redirectUri" text NOT NULL, "state" text, "codeChallenge" varchar(128) NOT NULL, "resource" text NOT NULL, "issuer" text NOT NULL, "serviceId" varchar(36) NOT NULL, "scope" text, "status" varchar(16) NOT NULL DEFAULT ('pending'), "expiresAt" datetime NOT NULL, "codeHash" varchar(64), "codeExpiresAt" datetime, "codeUsedAt" datetime, "grantId" varchar(36), CONSTRAINT "UQ_ab52c6673c6c1f6d54b63e60a64" UNIQUE ("codeHash"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_grants" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "clientId" varchar(36) NOT NULL, "serviceId" varchar(36) NOT NULL, "resource" text NOT NULL, "tools" text, "scope" text, "approvedBy" varchar(100) NOT NULL, "revokedAt" datetime)`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_refresh_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "tokenHash" varchar(64) NOT NULL, "grantId" varchar(36) NOT NULL, "expiresAt" datetime NOT NULL, "rotatedAt" datetime, CONSTRAINT "UQ_28263b97fc29ee636686d76dab0" UNIQUE ("tokenHash"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_43c9bcc9e8895dd165cc783707" ON "oauth_refresh_tokens" ("grantId") `);
    await queryRunner.query(
      `CREATE TABLE "oauth_signing_keys" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "algorithm" varchar(16) NOT NULL, "publicJwk" text NOT NULL, "privateKeySealed" text NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "oauth_signing_keys"`);
    await queryRunner.query(`DROP INDEX "IDX_43c9bcc9e8895dd165cc783707"`);
    await queryRunner.query(`DROP TABLE "oauth_refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "oauth_grants"`);
    await queryRunner.query(`DROP TABLE "oauth_authorizations"`);
    await queryRunner.query(`DROP TABLE "oauth_clients"`);
    await queryRunner.query(`DROP TABLE "client_tokens"`);
  }
}
