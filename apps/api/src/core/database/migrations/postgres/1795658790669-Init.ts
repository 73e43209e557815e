import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795658790669 implements MigrationInterface {
  name = 'Init1795658790669';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "services" ("id" character varying(36) NOT NULL, "name" character varying(63) NOT NULL, "transport" character varying(16) NOT NULL DEFAULT 'stdio', "process" text NOT NULL, "proxy" text NOT NULL, "repository" text, "environmentSealed" text NOT NULL, "desiredState" character varying(16) NOT NULL DEFAULT 'stopped', "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_019d74f7abcdcb5a0113010cb03" UNIQUE ("name"), CONSTRAINT "PK_ba2d347a3168a296416c6c5ccb2" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "services"`);
  }
}
