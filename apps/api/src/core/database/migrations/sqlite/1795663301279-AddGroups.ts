import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddGroups1795663301279 implements MigrationInterface {
  name = 'AddGroups1795663301279';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "groups" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(63) NOT NULL, "enabled" boolean NOT NULL DEFAULT (1), "separator" varchar(4) NOT NULL DEFAULT ('__'), "members" text NOT NULL, "allow" text NOT NULL, "deny" text NOT NULL, "settings" text NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_664ea405ae2a10c264d582ee563" UNIQUE ("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "groups"`);
  }
}
