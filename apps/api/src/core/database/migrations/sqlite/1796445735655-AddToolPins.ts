import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddToolPins1796445735655 implements MigrationInterface {
  name = 'AddToolPins1796445735655';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tool_changes" ("id" varchar(36) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "serviceName" varchar(63) NOT NULL, "toolName" varchar(255) NOT NULL, "kind" varchar(16) NOT NULL, "status" varchar(16) NOT NULL, "policy" varchar(8) NOT NULL, "previousFingerprint" varchar(64) NOT NULL DEFAULT (''), "fingerprint" varchar(64) NOT NULL DEFAULT (''), "previous" text, "current" text, "deploymentId" varchar(36), "detectedAt" datetime NOT NULL, "decidedAt" datetime, "decidedBy" varchar(200))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_tool_changes_service_detected" ON "tool_changes" ("serviceId", "detectedAt") `);
    await queryRunner.query(`CREATE INDEX "IDX_tool_changes_status_detected" ON "tool_changes" ("status", "detectedAt") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_tool_changes_transition" ON "tool_changes" ("serviceId", "toolName", "previousFingerprint", "fingerprint") `,
    );
    await queryRunner.query(
      `CREATE TABLE "tool_pins" ("id" varchar(36) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "toolName" varchar(255) NOT NULL, "fingerprint" varchar(64) NOT NULL, "definition" text NOT NULL, "pinnedAt" datetime NOT NULL, "approvedBy" varchar(200))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_tool_pins_service_tool" ON "tool_pins" ("serviceId", "toolName") `);
    await queryRunner.query(`DROP INDEX "IDX_e37c175eab387b10b70d44c83c"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_deployments" ("id" varchar(36) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "serviceName" varchar(63) NOT NULL, "trigger" varchar(16) NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('queued'), "repositoryUrl" varchar(500) NOT NULL, "branch" varchar(200), "commit" varchar(64), "directory" text, "options" text, "environmentSealed" text, "log" text NOT NULL DEFAULT (''), "error" text, "attempts" integer NOT NULL DEFAULT (0), "queuedAt" datetime NOT NULL DEFAULT (datetime('now')), "startedAt" datetime, "finishedAt" datetime, "cloneMs" integer, "installMs" integer, "buildMs" integer, "startMs" integer, "buildSandbox" text, "toolDrift" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_deployments"("id", "serviceId", "serviceName", "trigger", "status", "repositoryUrl", "branch", "commit", "directory", "options", "environmentSealed", "log", "error", "attempts", "queuedAt", "startedAt", "finishedAt", "cloneMs", "installMs", "buildMs", "startMs", "buildSandbox") SELECT "id", "serviceId", "serviceName", "trigger", "status", "repositoryUrl", "branch", "commit", "directory", "options", "environmentSealed", "log", "error", "attempts", "queuedAt", "startedAt", "finishedAt", "cloneMs", "installMs", "buildMs", "startMs", "buildSandbox" FROM "deployments"`,
    );
    await queryRunner.query(`DROP TABLE "deployments"`);
    await queryRunner.query(`ALTER TABLE "temporary_deployments" RENAME TO "deployments"`);
    await queryRunner.query(`CREATE INDEX "IDX_e37c175eab387b10b70d44c83c" ON "deployments" ("serviceId", "queuedAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_e37c175eab387b10b70d44c83c"`);
    await queryRunner.query(`ALTER TABLE "deployments" RENAME TO "temporary_deployments"`);
    await queryRunner.query(
      `CREATE TABLE "deployments" ("id" varchar(36) PRIMARY KEY NOT NULL, "serviceId" varchar(36) NOT NULL, "serviceName" varchar(63) NOT NULL, "trigger" varchar(16) NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('queued'), "repositoryUrl" varchar(500) NOT NULL, "branch" varchar(200), "commit" varchar(64), "directory" text, "options" text, "environmentSealed" text, "log" text NOT NULL DEFAULT (''), "error" text, "attempts" integer NOT NULL DEFAULT (0), "queuedAt" datetime NOT NULL DEFAULT (datetime('now')), "startedAt" datetime, "finishedAt" datetime, "cloneMs" integer, "installMs" integer, "buildMs" integer, "startMs" integer, "buildSandbox" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "deployments"("id", "serviceId", "serviceName", "trigger", "status", "repositoryUrl", "branch", "commit", "directory", "options", "environmentSealed", "log", "error", "attempts", "queuedAt", "startedAt", "finishedAt", "cloneMs", "installMs", "buildMs", "startMs", "buildSandbox") SELECT "id", "serviceId", "serviceName", "trigger", "status", "repositoryUrl", "branch", "commit", "directory", "options", "environmentSealed", "log", "error", "attempts", "queuedAt", "startedAt", "finishedAt", "cloneMs", "installMs", "buildMs", "startMs", "buildSandbox" FROM "temporary_deployments"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_deployments"`);
    await queryRunner.query(`CREATE INDEX "IDX_e37c175eab387b10b70d44c83c" ON "deployments" ("serviceId", "queuedAt") `);
    await queryRunner.query(`DROP INDEX "IDX_tool_pins_service_tool"`);
    await queryRunner.query(`DROP TABLE "tool_pins"`);
    await queryRunner.query(`DROP INDEX "IDX_tool_changes_transition"`);
    await queryRunner.query(`DROP INDEX "IDX_tool_changes_status_detected"`);
    await queryRunner.query(`DROP INDEX "IDX_tool_changes_service_detected"`);
    await queryRunner.query(`DROP TABLE "tool_changes"`);
  }
}
