import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUiSessions1796416499413 implements MigrationInterface {
  name = 'AddUiSessions1796416499413';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ui_sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "subject" varchar(36) NOT NULL, "keyFingerprint" varchar(64), "address" varchar(64), "userAgent" varchar(255), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "lastUsedAt" datetime NOT NULL, "expiresAt" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_03e91cf96da91dfc5bca5de023" ON "ui_sessions" ("subject") `);
    await queryRunner.query(`CREATE INDEX "IDX_54f8c20ef7d8874fc95cca04f8" ON "ui_sessions" ("expiresAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_54f8c20ef7d8874fc95cca04f8"`);
    await queryRunner.query(`DROP INDEX "IDX_03e91cf96da91dfc5bca5de023"`);
    await queryRunner.query(`DROP TABLE "ui_sessions"`);
  }
}
