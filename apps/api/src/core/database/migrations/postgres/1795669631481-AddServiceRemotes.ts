import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddServiceRemotes1795669631481 implements MigrationInterface {
  name = 'AddServiceRemotes1795669631481';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "service_remotes" ("serviceId" character varying(36) NOT NULL, "url" character varying(2000) NOT NULL, "protocol" character varying(16) NOT NULL DEFAULT 'streamable-http', "allowInsecureHttp" boolean NOT NULL DEFAULT false, "headersSealed" text NOT NULL, CONSTRAINT "PK_0f6a0e6b2b3bc91ea22f944f810" PRIMARY KEY ("serviceId"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "service_remotes"`);
  }
}
