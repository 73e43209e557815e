import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUiSessions1796416507598 implements MigrationInterface {
  name = 'AddUiSessions1796416507598';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ui_sessions" ("id" character varying(36) NOT NULL, "subject" character varying(36) NOT NULL, "keyFingerprint" character varying(64), "address" character varying(64), "userAgent" character varying(255), "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "lastUsedAt" TIMESTAMP NOT NULL, "expiresAt" TIMESTAMP NOT NULL, CONSTRAINT "PK_1953750f35ed2793b9a3fa0f077" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_03e91cf96da91dfc5bca5de023" ON "ui_sessions" ("subject") `);
    await queryRunner.query(`CREATE INDEX "IDX_54f8c20ef7d8874fc95cca04f8" ON "ui_sessions" ("expiresAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_54f8c20ef7d8874fc95cca04f8"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_03e91cf96da91dfc5bca5de023"`);
    await queryRunner.query(`DROP TABLE "ui_sessions"`);
  }
}
