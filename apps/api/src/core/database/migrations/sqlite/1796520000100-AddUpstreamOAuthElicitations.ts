import { MigrationInterface, QueryRunner } from 'typeorm';

/** The URL elicitations offered to MCP clients whose caller has no upstream OAuth connection yet. */
export class AddUpstreamOAuthElicitations1796520000100 implements MigrationInterface {
  name = 'AddUpstreamOAuthElicitations1796520000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "upstream_oauth_elicitations" ("idHash" varchar(64) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "principalKey" varchar(100) NOT NULL, "sessionId" varchar(64) NOT NULL, "expiresAt" datetime NOT NULL, "usedAt" datetime)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "upstream_oauth_elicitations"`);
  }
}
