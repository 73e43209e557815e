import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRuntimeSettings1795670400001 implements MigrationInterface {
  name = 'AddRuntimeSettings1795670400001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "runtime_settings" ("key" character varying(64) NOT NULL, "value" text NOT NULL, "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_e12c6dba147684ac546ed82ef30" PRIMARY KEY ("key"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "runtime_settings"`);
  }
}
