import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795658789189 implements MigrationInterface {
  name = 'Init1795658789189';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "services" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(63) NOT NULL, "transport" varchar(16) NOT NULL DEFAULT ('stdio'), "process" text NOT NULL, "proxy" text NOT NULL, "repository" text, "environmentSealed" text NOT NULL, "desiredState" varchar(16) NOT NULL DEFAULT ('stopped'), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_019d74f7abcdcb5a0113010cb03" UNIQUE ("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "services"`);
  }
}
