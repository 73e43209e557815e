import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddGroups1795663304150 implements MigrationInterface {
  name = 'AddGroups1795663304150';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "groups" ("id" character varying(36) NOT NULL, "name" character varying(63) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "separator" character varying(4) NOT NULL DEFAULT '__', "members" text NOT NULL, "allow" text NOT NULL, "deny" text NOT NULL, "settings" text NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_664ea405ae2a10c264d582ee563" UNIQUE ("name"), CONSTRAINT "PK_659d1483316afb28afd3a90646e" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "groups"`);
  }
}
