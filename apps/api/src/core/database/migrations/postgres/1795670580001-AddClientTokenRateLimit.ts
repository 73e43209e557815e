import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddClientTokenRateLimit1795670580001 implements MigrationInterface {
  name = 'AddClientTokenRateLimit1795670580001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client_tokens" ADD "rateLimit" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client_tokens" DROP COLUMN "rateLimit"`);
  }
}
