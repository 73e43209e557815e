import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddDeploymentBuildSandbox1795670500000 implements MigrationInterface {
  name = 'AddDeploymentBuildSandbox1795670500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" ADD COLUMN "buildSandbox" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deployments" DROP COLUMN "buildSandbox"`);
  }
}
