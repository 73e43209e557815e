import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddEventsAndMetricsHistory1796513071350 implements MigrationInterface {
  name = 'AddEventsAndMetricsHistory1796513071350';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "service_events" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL, "instance" varchar(100) NOT NULL, "serviceId" varchar(100) NOT NULL, "serviceName" varchar(200) NOT NULL, "kind" varchar(16) NOT NULL, "message" varchar(500) NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_service_events_service_at" ON "service_events" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_service_events_at" ON "service_events" ("at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "metrics_history" ("resolution" varchar(4) NOT NULL, "serviceId" varchar(100) NOT NULL, "instance" varchar(100) NOT NULL, "at" datetime NOT NULL, "serviceName" varchar(200) NOT NULL, "calls" integer NOT NULL, "errors" integer NOT NULL, "latency" text NOT NULL, "samples" integer NOT NULL, "cpuSum" double precision NOT NULL, "rssSum" double precision NOT NULL, PRIMARY KEY ("resolution", "serviceId", "instance", "at"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_metrics_history_resolution_at" ON "metrics_history" ("resolution", "at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_metrics_history_resolution_at"`);
    await queryRunner.query(`DROP TABLE "metrics_history"`);
    await queryRunner.query(`DROP INDEX "IDX_service_events_at"`);
    await queryRunner.query(`DROP INDEX "IDX_service_events_service_at"`);
    await queryRunner.query(`DROP TABLE "service_events"`);
  }
}
