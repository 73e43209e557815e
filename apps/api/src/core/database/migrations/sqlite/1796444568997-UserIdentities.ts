import { MigrationInterface, QueryRunner } from 'typeorm';

export class UserIdentities1796444568997 implements MigrationInterface {
  name = 'UserIdentities1796444568997';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "user_identities" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "userId" varchar(36) NOT NULL, "issuer" varchar(512) NOT NULL, "subject" varchar(255) NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_user_identities_issuer_subject" ON "user_identities" ("issuer", "subject") `);
    await queryRunner.query(`DROP INDEX "UQ_user_identities_issuer_subject"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_user_identities" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "userId" varchar(36) NOT NULL, "issuer" varchar(512) NOT NULL, "subject" varchar(255) NOT NULL, CONSTRAINT "FK_084cef3785217102f222e90ea7c" FOREIGN KEY ("userId") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_user_identities"("id", "createdAt", "updatedAt", "userId", "issuer", "subject") SELECT "id", "createdAt", "updatedAt", "userId", "issuer", "subject" FROM "user_identities"`,
    );
    await queryRunner.query(`DROP TABLE "user_identities"`);
    await queryRunner.query(`ALTER TABLE "temporary_user_identities" RENAME TO "user_identities"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_user_identities_issuer_subject" ON "user_identities" ("issuer", "subject") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_user_identities_issuer_subject"`);
    await queryRunner.query(`ALTER TABLE "user_identities" RENAME TO "temporary_user_identities"`);
    await queryRunner.query(
      `CREATE TABLE "user_identities" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "userId" varchar(36) NOT NULL, "issuer" varchar(512) NOT NULL, "subject" varchar(255) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "user_identities"("id", "createdAt", "updatedAt", "userId", "issuer", "subject") SELECT "id", "createdAt", "updatedAt", "userId", "issuer", "subject" FROM "temporary_user_identities"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_user_identities"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_user_identities_issuer_subject" ON "user_identities" ("issuer", "subject") `);
    await queryRunner.query(`DROP INDEX "UQ_user_identities_issuer_subject"`);
    await queryRunner.query(`DROP TABLE "user_identities"`);
  }
}
