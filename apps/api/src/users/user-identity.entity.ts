import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { RecordEntity } from '../core/database/record.entity';
import { UserEntity } from './user.entity';

/**
 * A user's account at an OpenID provider: the provider's issuer and the subject it names the person by.
 * Only this pair links a sign-in to a user; a matching e-mail or name never does (anyone may claim one).
 */
@Entity('user_identities')
@Index('UQ_user_identities_issuer_subject', ['issuer', 'subject'], { unique: true })
export class UserIdentityEntity extends RecordEntity {
  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 512 })
  issuer!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;
}
