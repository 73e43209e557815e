import { MigrationInterface, QueryRunner } from 'typeorm';

/** The URL elicitations offered to MCP clients whose caller has no upstream OAuth connection yet. */
export class AddUpstreamOAuthElicitations1796520000101 implements MigrationInterface {
  name = 'AddUpstreamOAuthElicitations1796520000101';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "upstream_oauth_elicitations" ("idHash" character varying(64) NOT NULL, "serviceId" character varying(36) NOT NULL, "principalKey" character varying(100) NOT NULL, "sessionId" character varying(64) NOT NULL, "expiresAt" TIMESTAMP NOT NULL, "usedAt" TIMESTAMP, CONSTRAINT "PK_upstream_oauth_elicitations" PRIMARY KEY ("idHash"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "upstream_oauth_elicitations"`);
  }
}
