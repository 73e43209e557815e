import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddServiceRemotes1795669624504 implements MigrationInterface {
  name = 'AddServiceRemotes1795669624504';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "service_remotes" ("serviceId" varchar(36) PRIMARY KEY NOT NULL, "url" varchar(2000) NOT NULL, "protocol" varchar(16) NOT NULL DEFAULT ('streamable-http'), "allowInsecureHttp" boolean NOT NULL DEFAULT (0), "headersSealed" text NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "service_remotes"`);
  }
}
