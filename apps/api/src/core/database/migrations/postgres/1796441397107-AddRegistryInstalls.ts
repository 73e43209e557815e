import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRegistryInstalls1796441397107 implements MigrationInterface {
  name = 'AddRegistryInstalls1796441397107';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "registry_installs" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "serviceId" character varying(36) NOT NULL, "registryUrl" character varying(500) NOT NULL, "server" character varying(200) NOT NULL, "current" text NOT NULL, "previous" text, CONSTRAINT "UQ_fd7ee8f4325e09b739ed4b9ed75" UNIQUE ("serviceId"), CONSTRAINT "PK_92ed35651a7421bfd31e044c848" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "registry_installs"`);
  }
}
