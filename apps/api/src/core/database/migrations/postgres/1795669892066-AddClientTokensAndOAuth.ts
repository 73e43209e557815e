import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddClientTokensAndOAuth1795669892066 implements MigrationInterface {
  name = 'AddClientTokensAndOAuth1795669892066';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "client_tokens" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "label" character varying(100) NOT NULL, "tokenHash" character varying(64) NOT NULL, "prefix" character varying(16) NOT NULL, "services" text, "tools" text, "lastUsedAt" TIMESTAMP, "revokedAt" TIMESTAMP, CONSTRAINT "UQ_e6291b3a9c45177df260380a004" UNIQUE ("tokenHash"), CONSTRAINT "PK_7362ff738e1f290af06a6a5a53e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_clients" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "name" character varying(200) NOT NULL, "redirectUris" text NOT NULL, CONSTRAINT "PK_c4759172d3431bae6f04e678e0d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_authorizations" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "clientId" character varying(36) NOT NULL, "redirectUri" text NOT NULL, "state" text, "codeChallenge" character varying(128) NOT NULL, "resource" text NOT NULL, "issuer" text NOT NULL, "serviceId" character varying(36) NOT NULL, "scope" text, "status" character varying(16) NOT NULL DEFAULT 'pending', "expiresAt" TIMESTAMP NOT NULL, "codeHash" character varying(64), "codeExpiresAt" TIMESTAMP, "codeUsedAt" TIMESTAMP, "grantId" character varying(36), CONSTRAINT "UQ_ab52c6673c6c1f6d54b63e60a64" UNIQUE ("codeHash"), CONSTRAINT "PK_0b25c4c6ffe0302852a061f47a6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_grants" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "clientId" character varying(36) NOT NULL, "serviceId" character varying(36) NOT NULL, "resource" text NOT NULL, "tools" text, "scope" text, "approvedBy" character varying(100) NOT NULL, "revokedAt" TIMESTAMP, CONSTRAINT "PK_197229704270fa696b539aa1a22" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_refresh_tokens" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "tokenHash" character varying(64) NOT NULL, "grantId" character varying(36) NOT NULL, "expiresAt" TIMESTAMP NOT NULL, "rotatedAt" TIMESTAMP, CONSTRAINT "UQ_28263b97fc29ee636686d76dab0" UNIQUE ("tokenHash"), CONSTRAINT "PK_6051e97f5024636e53749cfdc80" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_43c9bcc9e8895dd165cc783707" ON "oauth_refresh_tokens" ("grantId") `);
    await queryRunner.query(
      `CREATE TABLE "oauth_signing_keys" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "algorithm" character varying(16) NOT NULL, "publicJwk" text NOT NULL, "privateKeySealed" text NOT NULL, CONSTRAINT "PK_ea07fd67b4562f901968ca08458" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "oauth_signing_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_43c9bcc9e8895dd165cc783707"`);
    await queryRunner.query(`DROP TABLE "oauth_refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "oauth_grants"`);
    await queryRunner.query(`DROP TABLE "oauth_authorizations"`);
    await queryRunner.query(`DROP TABLE "oauth_clients"`);
    await queryRunner.query(`DROP TABLE "client_tokens"`);
  }
}
