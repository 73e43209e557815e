import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddToolPins1796445747404 implements MigrationInterface {
  name = 'AddToolPins1796445747404';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tool_changes" ("id" character varying(36) NOT NULL, "serviceId" character varying(36) NOT NULL, "serviceName" character varying(63) NOT NULL, "toolName" character varying(255) NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "policy" character varying(8) NOT NULL, "previousFingerprint" character varying(64) NOT NULL DEFAULT '', "fingerprint" character varying(64) NOT NULL DEFAULT '', "previous" text, "current" text, "deploymentId" character varying(36), "detectedAt" TIMESTAMP NOT NULL, "decidedAt" TIMESTAMP, "decidedBy" character varying(200), CONSTRAINT "PK_295fec248ee8ba79612805452ec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_tool_changes_service_detected" ON "tool_changes" ("serviceId", "detectedAt") `);
    await queryRunner.query(`CREATE INDEX "IDX_tool_changes_status_detected" ON "tool_changes" ("status", "detectedAt") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_tool_changes_transition" ON "tool_changes" ("serviceId", "toolName", "previousFingerprint", "fingerprint") `,
    );
    await queryRunner.query(
      `CREATE TABLE "tool_pins" ("id" character varying(36) NOT NULL, "serviceId" character varying(36) NOT NULL, "toolName" character varying(255) NOT NULL, "fingerprint" character varying(64) NOT NULL, "definition" text NOT NULL, "pinnedAt" TIMESTAMP NOT NULL, "approvedBy" character varying(200), CONSTRAINT "PK_1956ae8febc449b8be7fd013302" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_tool_pins_service_tool" ON "tool_pins" ("serviceId", "toolName") `);
    await queryRunner.query(`ALTER TABLE "deployments" ADD "toolDrift" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "toolDrift"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tool_pins_service_tool"`);
    await queryRunner.query(`DROP TABLE "tool_pins"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tool_changes_transition"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tool_changes_status_detected"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tool_changes_service_detected"`);
    await queryRunner.query(`DROP TABLE "tool_changes"`);
  }
}
