import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddPersistedSessions1795669591673 implements MigrationInterface {
  name = 'AddPersistedSessions1795669591673';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mcp_sessions" ("id" character varying(64) NOT NULL, "serviceId" character varying(36) NOT NULL, "principalId" character varying(255) NOT NULL, "protocolVersion" character varying(32) NOT NULL, "clientCapabilities" text NOT NULL, "clientInfo" text, "createdAt" bigint NOT NULL, "lastSeenAt" bigint NOT NULL, CONSTRAINT "PK_dfd42125c0902bdeaf7c00bcae4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_d3df5269c29af4a8851e6602b9" ON "mcp_sessions" ("lastSeenAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_d3df5269c29af4a8851e6602b9"`);
    await queryRunner.query(`DROP TABLE "mcp_sessions"`);
  }
}
