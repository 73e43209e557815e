import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUpstreamOAuth1796450000000 implements MigrationInterface {
  name = 'AddUpstreamOAuth1796450000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "service_remotes" ADD COLUMN "auth" varchar(8) NOT NULL DEFAULT ('headers')`);
    await queryRunner.query(`ALTER TABLE "service_remotes" ADD COLUMN "oauthSealed" text`);
    await queryRunner.query(
      `CREATE TABLE "upstream_oauth_connections" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "serviceId" varchar(36) NOT NULL, "principalKey" varchar(100) NOT NULL, "tokensSealed" text NOT NULL, "expiresAt" datetime, "subject" varchar(255))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_upstream_oauth_connection" ON "upstream_oauth_connections" ("serviceId", "principalKey") `,
    );
    await queryRunner.query(
      `CREATE TABLE "upstream_oauth_clients" ("serviceId" varchar(36) PRIMARY KEY NOT NULL, "redirectUri" varchar(2000) NOT NULL, "issuer" varchar(2000) NOT NULL, "clientSealed" text NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "upstream_oauth_clients"`);
    await queryRunner.query(`DROP INDEX "IDX_upstream_oauth_connection"`);
    await queryRunner.query(`DROP TABLE "upstream_oauth_connections"`);
    await queryRunner.query(`ALTER TABLE "service_remotes" DROP COLUMN "oauthSealed"`);
    await queryRunner.query(`ALTER TABLE "service_remotes" DROP COLUMN "auth"`);
  }
}
