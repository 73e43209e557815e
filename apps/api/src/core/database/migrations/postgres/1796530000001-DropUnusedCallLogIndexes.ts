import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The call log's filters match a column or its alias (`serviceId OR serviceName`, `tool OR originalTool`,
 * `principalId OR principalLabel`): an index on one of the two cannot serve them, so every read walks
 * IDX_call_log_at. These three indexes were only written, on every recorded call.
 */
export class DropUnusedCallLogIndexes1796530000001 implements MigrationInterface {
  name = 'DropUnusedCallLogIndexes1796530000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_principal_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_tool_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_service_at"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_call_log_service_at" ON "call_log" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_tool_at" ON "call_log" ("tool", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_principal_at" ON "call_log" ("principalId", "at") `);
  }
}
