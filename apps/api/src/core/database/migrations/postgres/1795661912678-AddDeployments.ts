import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddDeployments1795661912678 implements MigrationInterface {
  name = 'AddDeployments1795661912678';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "deployments" ("id" character varying(36) NOT NULL, "serviceId" character varying(36) NOT NULL, "serviceName" character varying(63) NOT NULL, "trigger" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "repositoryUrl" character varying(500) NOT NULL, "branch" character varying(200), "commit" character varying(64), "directory" text, "options" text, "environmentSealed" text, "log" text NOT NULL DEFAULT '', "error" text, "attempts" integer NOT NULL DEFAULT '0', "queuedAt" TIMESTAMP NOT NULL DEFAULT now(), "startedAt" TIMESTAMP, "finishedAt" TIMESTAMP, "cloneMs" integer, "installMs" integer, "buildMs" integer, "startMs" integer, CONSTRAINT "PK_1e5627acb3c950deb83fe98fc48" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_e37c175eab387b10b70d44c83c" ON "deployments" ("serviceId", "queuedAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_e37c175eab387b10b70d44c83c"`);
    await queryRunner.query(`DROP TABLE "deployments"`);
  }
}
