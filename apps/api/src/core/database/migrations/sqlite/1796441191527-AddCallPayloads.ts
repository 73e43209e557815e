import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCallPayloads1796441191527 implements MigrationInterface {
  name = 'AddCallPayloads1796441191527';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_call_log_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_service_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_tool_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_principal_at"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_call_log" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL, "instance" varchar(100) NOT NULL, "principalKind" varchar(16) NOT NULL, "principalId" varchar(200) NOT NULL, "principalLabel" varchar(200), "clientName" varchar(200), "clientVersion" varchar(100), "endpoint" varchar(200) NOT NULL, "serviceId" varchar(100) NOT NULL, "serviceName" varchar(200) NOT NULL, "method" varchar(32) NOT NULL, "tool" varchar(500), "originalTool" varchar(500), "durationMs" integer NOT NULL, "outcome" varchar(16) NOT NULL, "errorCode" integer, "requestBytes" integer NOT NULL, "responseBytes" integer, "argumentsSha256" varchar(64), "arguments" text, "result" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_call_log"("id", "at", "instance", "principalKind", "principalId", "principalLabel", "clientName", "clientVersion", "endpoint", "serviceId", "serviceName", "method", "tool", "originalTool", "durationMs", "outcome", "errorCode", "requestBytes", "responseBytes", "argumentsSha256") SELECT "id", "at", "instance", "principalKind", "principalId", "principalLabel", "clientName", "clientVersion", "endpoint", "serviceId", "serviceName", "method", "tool", "originalTool", "durationMs", "outcome", "errorCode", "requestBytes", "responseBytes", "argumentsSha256" FROM "call_log"`,
    );
    await queryRunner.query(`DROP TABLE "call_log"`);
    await queryRunner.query(`ALTER TABLE "temporary_call_log" RENAME TO "call_log"`);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_at" ON "call_log" ("at", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_service_at" ON "call_log" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_tool_at" ON "call_log" ("tool", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_principal_at" ON "call_log" ("principalId", "at") `);
    await queryRunner.query(
      `CREATE TABLE "temporary_services" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(63) NOT NULL, "transport" varchar(16) NOT NULL DEFAULT ('stdio'), "process" text NOT NULL, "proxy" text NOT NULL, "repository" text, "environmentSealed" text NOT NULL, "desiredState" varchar(16) NOT NULL DEFAULT ('stopped'), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), "callLog" text, CONSTRAINT "UQ_019d74f7abcdcb5a0113010cb03" UNIQUE ("name"))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_services"("id", "name", "transport", "process", "proxy", "repository", "environmentSealed", "desiredState", "createdAt", "updatedAt") SELECT "id", "name", "transport", "process", "proxy", "repository", "environmentSealed", "desiredState", "createdAt", "updatedAt" FROM "services"`,
    );
    await queryRunner.query(`DROP TABLE "services"`);
    await queryRunner.query(`ALTER TABLE "temporary_services" RENAME TO "services"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "services" RENAME TO "temporary_services"`);
    await queryRunner.query(
      `CREATE TABLE "services" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(63) NOT NULL, "transport" varchar(16) NOT NULL DEFAULT ('stdio'), "process" text NOT NULL, "proxy" text NOT NULL, "repository" text, "environmentSealed" text NOT NULL, "desiredState" varchar(16) NOT NULL DEFAULT ('stopped'), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_019d74f7abcdcb5a0113010cb03" UNIQUE ("name"))`,
    );
    await queryRunner.query(
      `INSERT INTO "services"("id", "name", "transport", "process", "proxy", "repository", "environmentSealed", "desiredState", "createdAt", "updatedAt") SELECT "id", "name", "transport", "process", "proxy", "repository", "environmentSealed", "desiredState", "createdAt", "updatedAt" FROM "temporary_services"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_services"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_principal_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_tool_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_service_at"`);
    await queryRunner.query(`DROP INDEX "IDX_call_log_at"`);
    await queryRunner.query(`ALTER TABLE "call_log" RENAME TO "temporary_call_log"`);
    await queryRunner.query(
      `CREATE TABLE "call_log" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL, "instance" varchar(100) NOT NULL, "principalKind" varchar(16) NOT NULL, "principalId" varchar(200) NOT NULL, "principalLabel" varchar(200), "clientName" varchar(200), "clientVersion" varchar(100), "endpoint" varchar(200) NOT NULL, "serviceId" varchar(100) NOT NULL, "serviceName" varchar(200) NOT NULL, "method" varchar(32) NOT NULL, "tool" varchar(500), "originalTool" varchar(500), "durationMs" integer NOT NULL, "outcome" varchar(16) NOT NULL, "errorCode" integer, "requestBytes" integer NOT NULL, "responseBytes" integer, "argumentsSha256" varchar(64))`,
    );
    await queryRunner.query(
      `INSERT INTO "call_log"("id", "at", "instance", "principalKind", "principalId", "principalLabel", "clientName", "clientVersion", "endpoint", "serviceId", "serviceName", "method", "tool", "originalTool", "durationMs", "outcome", "errorCode", "requestBytes", "responseBytes", "argumentsSha256") SELECT "id", "at", "instance", "principalKind", "principalId", "principalLabel", "clientName", "clientVersion", "endpoint", "serviceId", "serviceName", "method", "tool", "originalTool", "durationMs", "outcome", "errorCode", "requestBytes", "responseBytes", "argumentsSha256" FROM "temporary_call_log"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_call_log"`);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_principal_at" ON "call_log" ("principalId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_tool_at" ON "call_log" ("tool", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_service_at" ON "call_log" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_log_at" ON "call_log" ("at", "id") `);
  }
}
