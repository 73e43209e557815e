import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCallLog1796431667991 implements MigrationInterface {
  name = 'AddCallLog1796431667991';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_log" ("id" character varying(36) NOT NULL, "at" TIMESTAMP NOT NULL, "instance" character varying(100) NOT NULL, "principalKind" character varying(16) NOT NULL, "principalId" character varying(200) NOT NULL, "principalLabel" character varying(200), "clientName" character varying(200), "clientVersion" character varying(100), "endpoint" character varying(200) NOT NULL, "serviceId" character varying(100) NOT NULL, "serviceName" character varying(200) NOT NULL, "method" character varying(32) NOT NULL, "tool" character varying(500), "originalTool" character varying(500), "durationMs" integer NOT NULL, "outcome" character varying(16) NOT NULL, "errorCode" integer, "requestBytes" integer NOT NULL, "responseBytes" integer, "argumentsSha256" character varying(64), CONSTRAINT "PK_13cb45e93264db6cbe9f0475592" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_call_log_principal_at" ON "call_log" ("principalId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_tool_at" ON "call_log" ("tool", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_service_at" ON "call_log" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_at" ON "call_log" ("at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_service_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_tool_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_log_principal_at"`);
    await queryRunner.query(`DROP TABLE "call_log"`);
  }
}
