import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRuntimeSettings1795670400000 implements MigrationInterface {
  name = 'AddRuntimeSettings1795670400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "runtime_settings" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" text NOT NULL, "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "runtime_settings"`);
  }
}
