import { MigrationInterface, QueryRunner } from 'typeorm';

/** Client tokens and OAuth grants name the user they act for, whose upstream OAuth connections they use. */
export class AddCredentialOwners1796520000001 implements MigrationInterface {
  name = 'AddCredentialOwners1796520000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client_tokens" ADD COLUMN "ownerUserId" character varying(36)`);
    await queryRunner.query(`ALTER TABLE "oauth_grants" ADD COLUMN "ownerUserId" character varying(36)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "oauth_grants" DROP COLUMN "ownerUserId"`);
    await queryRunner.query(`ALTER TABLE "client_tokens" DROP COLUMN "ownerUserId"`);
  }
}
