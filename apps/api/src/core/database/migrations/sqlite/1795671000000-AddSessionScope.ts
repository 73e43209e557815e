import { MigrationInterface, QueryRunner } from 'typeorm';

/** A persisted MCP session keeps the service and tool limits it was opened with, so a revived one has them too. */
export class AddSessionScope1795671000000 implements MigrationInterface {
  name = 'AddSessionScope1795671000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mcp_sessions" ADD COLUMN "scope" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mcp_sessions" DROP COLUMN "scope"`);
  }
}
