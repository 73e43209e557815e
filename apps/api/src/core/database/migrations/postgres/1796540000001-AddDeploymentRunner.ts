import { MigrationInterface, QueryRunner } from 'typeorm';

/** A deployment names the instance running it, so the others leave it alone while that instance lives. */
export class AddDeploymentRunner1796540000001 implements MigrationInterface {
  name = 'AddDeploymentRunner1796540000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" ADD COLUMN "runner" character varying(200)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "runner"`);
  }
}
