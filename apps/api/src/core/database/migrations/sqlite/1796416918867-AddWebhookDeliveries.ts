import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddWebhookDeliveries1796416918867 implements MigrationInterface {
  name = 'AddWebhookDeliveries1796416918867';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" varchar(100) PRIMARY KEY NOT NULL, "event" varchar(50) NOT NULL, "receivedAt" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_62dbc75975951685a86190eb9f" ON "webhook_deliveries" ("receivedAt") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_62dbc75975951685a86190eb9f"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
  }
}
