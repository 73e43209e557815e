import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAuditEvents1795669562488 implements MigrationInterface {
  name = 'AddAuditEvents1795669562488';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL, "actor" varchar(200), "actorKind" varchar(16) NOT NULL, "action" varchar(100) NOT NULL, "outcome" varchar(16) NOT NULL, "target" varchar(200), "address" varchar(64), "detail" text)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_at" ON "audit_events" ("at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_audit_events_at"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
