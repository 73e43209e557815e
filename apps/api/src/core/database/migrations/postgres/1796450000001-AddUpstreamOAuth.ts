import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUpstreamOAuth1796450000001 implements MigrationInterface {
  name = 'AddUpstreamOAuth1796450000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "service_remotes" ADD "auth" character varying(8) NOT NULL DEFAULT 'headers'`);
    await queryRunner.query(`ALTER TABLE "service_remotes" ADD "oauthSealed" text`);
    await queryRunner.query(
      `CREATE TABLE "upstream_oauth_connections" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "serviceId" character varying(36) NOT NULL, "principalKey" character varying(100) NOT NULL, "tokensSealed" text NOT NULL, "expiresAt" TIMESTAMP, "subject" character varying(255), CONSTRAINT "PK_upstream_oauth_connections" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_upstream_oauth_connection" ON "upstream_oauth_connections" ("serviceId", "principalKey") `,
    );
    await queryRunner.query(
      `CREATE TABLE "upstream_oauth_clients" ("serviceId" character varying(36) NOT NULL, "redirectUri" character varying(2000) NOT NULL, "issuer" character varying(2000) NOT NULL, "clientSealed" text NOT NULL, CONSTRAINT "PK_upstream_oauth_clients" PRIMARY KEY ("serviceId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "upstream_oauth_clients"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_upstream_oauth_connection"`);
    await queryRunner.query(`DROP TABLE "upstream_oauth_connections"`);
    await queryRunner.query(`ALTER TABLE "service_remotes" DROP COLUMN "oauthSealed"`);
    await queryRunner.query(`ALTER TABLE "service_remotes" DROP COLUMN "auth"`);
  }
}
