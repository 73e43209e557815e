import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCallLog1796431664982 implements MigrationInterface {
  name = 'AddCallLog1796431664982';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_log" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL, "instance" varchar(100) NOT NULL, "principalKind" varchar(16) NOT NULL, "principalId" varchar(200) NOT NULL, "principalLabel" varchar(200), "clientName" varchar(200), "clientVersion" varchar(100), "endpoint" varchar(200) NOT NULL, "serviceId" varchar(100) NOT NULL, "serviceName" varchar(200) NOT NULL, "method" varchar(32) NOT NULL, "tool" varchar(500), "originalTool" varchar(500), "durationMs" integer NOT NULL, "outcome" varchar(16) NOT NULL, "errorCode" integer, "requestBytes" integer NOT NULL, "responseBytes" integer, "argumentsSha256" varchar(64))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_call_log_principal_at" ON "call_log" ("principalId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_tool_at" ON "call_log" ("tool", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_service_at" ON "call_log" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_at" ON "call_log" ("at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_call_log_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_service_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_tool_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_principal_at"`);
    await queryRunner.query(`DROP TABLE "call_log"`);
  }
}
