import { MigrationInterface, QueryRunner } from 'typeorm';

export class UserIdentities1796444577619 implements MigrationInterface {
  name = 'UserIdentities1796444577619';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "user_identities" ("id" character varying(36) NOT NULL, "createdAt" TIMESTAMP NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP NOT NULL DEFAULT now(), "userId" character varying(36) NOT NULL, "issuer" character varying(512) NOT NULL, "subject" character varying(255) NOT NULL, CONSTRAINT "PK_e23bff04e9c3e7b785e442b262c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_user_identities_issuer_subject" ON "user_identities" ("issuer", "subject") `);
    await queryRunner.query(
      `ALTER TABLE "user_identities" ADD CONSTRAINT "FK_084cef3785217102f222e90ea7c" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_identities" DROP CONSTRAINT "FK_084cef3785217102f222e90ea7c"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_user_identities_issuer_subject"`);
    await queryRunner.query(`DROP TABLE "user_identities"`);
  }
}
