import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAuditEvents1795669565778 implements MigrationInterface {
  name = 'AddAuditEvents1795669565778';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" character varying(36) NOT NULL, "at" TIMESTAMP NOT NULL, "actor" character varying(200), "actorKind" character varying(16) NOT NULL, "action" character varying(100) NOT NULL, "outcome" character varying(16) NOT NULL, "target" character varying(200), "address" character varying(64), "detail" text, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_at" ON "audit_events" ("at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_at"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
