import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCallPayloads1796441197924 implements MigrationInterface {
  name = 'AddCallPayloads1796441197924';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "call_log" ADD "arguments" text`);
    await queryRunner.query(`ALTER TABLE "call_log" ADD "result" text`);
    await queryRunner.query(`ALTER TABLE "services" ADD "callLog" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "services" DROP COLUMN "callLog"`);
    await queryRunner.query(`ALTER TABLE "call_log" DROP COLUMN "result"`);
    await queryRunner.query(`ALTER TABLE "call_log" DROP COLUMN "arguments"`);
  }
}
