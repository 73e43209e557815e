import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddWebhookDeliveries1796416928246 implements MigrationInterface {
  name = 'AddWebhookDeliveries1796416928246';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" character varying(100) NOT NULL, "event" character varying(50) NOT NULL, "receivedAt" TIMESTAMP NOT NULL, CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_62dbc75975951685a86190eb9f" ON "webhook_deliveries" ("receivedAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_62dbc75975951685a86190eb9f"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
  }
}
