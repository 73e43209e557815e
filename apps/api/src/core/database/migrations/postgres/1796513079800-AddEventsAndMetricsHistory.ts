import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddEventsAndMetricsHistory1796513079800 implements MigrationInterface {
  name = 'AddEventsAndMetricsHistory1796513079800';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "service_events" ("id" character varying(36) NOT NULL, "at" TIMESTAMP NOT NULL, "instance" character varying(100) NOT NULL, "serviceId" character varying(100) NOT NULL, "serviceName" character varying(200) NOT NULL, "kind" character varying(16) NOT NULL, "message" character varying(500) NOT NULL, CONSTRAINT "PK_1608e9859ce1f28c77cc896fdbc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_service_events_service_at" ON "service_events" ("serviceId", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_service_events_at" ON "service_events" ("at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "metrics_history" ("resolution" character varying(4) NOT NULL, "serviceId" character varying(100) NOT NULL, "instance" character varying(100) NOT NULL, "at" TIMESTAMP NOT NULL, "serviceName" character varying(200) NOT NULL, "calls" integer NOT NULL, "errors" integer NOT NULL, "latency" text NOT NULL, "samples" integer NOT NULL, "cpuSum" double precision NOT NULL, "rssSum" double precision NOT NULL, CONSTRAINT "PK_a69d96286054b6b6152f7d6c451" PRIMARY KEY ("resolution", "serviceId", "instance", "at"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_metrics_history_resolution_at" ON "metrics_history" ("resolution", "at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_metrics_history_resolution_at"`);
    await queryRunner.query(`DROP TABLE "metrics_history"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_events_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_events_service_at"`);
    await queryRunner.query(`DROP TABLE "service_events"`);
  }
}
