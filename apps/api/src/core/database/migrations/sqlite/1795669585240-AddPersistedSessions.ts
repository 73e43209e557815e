import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddPersistedSessions1795669585240 implements MigrationInterface {
  name = 'AddPersistedSessions1795669585240';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mcp_sessions" ("id" varchar(64) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "principalId" varchar(255) NOT NULL, "protocolVersion" varchar(32) NOT NULL, "clientCapabilities" text NOT NULL, "clientInfo" text, "createdAt" bigint NOT NULL, "lastSeenAt" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_d3df5269c29af4a8851e6602b9" ON "mcp_sessions" ("lastSeenAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_d3df5269c29af4a8851e6602b9"`);
    await queryRunner.query(`DROP TABLE "mcp_sessions"`);
  }
}
