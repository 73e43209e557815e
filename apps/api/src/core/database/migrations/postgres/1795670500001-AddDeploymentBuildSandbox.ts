import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddDeploymentBuildSandbox1795670500001 implements MigrationInterface {
  name = 'AddDeploymentBuildSandbox1795670500001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" ADD "buildSandbox" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "buildSandbox"`);
  }
}
