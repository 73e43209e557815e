import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRegistryInstalls1796441392838 implements MigrationInterface {
  name = 'AddRegistryInstalls1796441392838';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "registry_installs" ("id" varchar(36) PRIMARY KEY NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "serviceId" varchar(36) NOT NULL, "registryUrl" varchar(500) NOT NULL, "server" varchar(200) NOT NULL, "current" text NOT NULL, "previous" text, CONSTRAINT "UQ_fd7ee8f4325e09b739ed4b9ed75" UNIQUE ("serviceId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "registry_installs"`);
  }
}
