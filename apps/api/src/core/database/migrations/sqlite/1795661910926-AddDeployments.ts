import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddDeployments1795661910926 implements MigrationInterface {
  name = 'AddDeployments1795661910926';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "deployments" ("id" varchar(36) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "serviceName" varchar(63) NOT NULL, "trigger" varchar(16) NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('queued'), "repositoryUrl" varchar(500) NOT NULL, "branch" varchar(200), "commit" varchar(64), "directory" text, "options" text, "environmentSealed" text, "log" text NOT NULL DEFAULT (''), "error" text, "attempts" integer NOT NULL DEFAULT (0), "queuedAt" datetime NOT NULL DEFAULT (datetime('now')), "startedAt" datetime, "finishedAt" datetime, "cloneMs" integer, "installMs" integer, "buildMs" integer, "startMs" integer)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_e37c175eab387b10b70d44c83c" ON "deployments" ("serviceId", "queuedAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_e37c175eab387b10b70d44c83c"`);
    await queryRunner.query(`DROP TABLE "deployments"`);
  }
}
