import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('accounts')
export class AccountEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') displayName!: string;
  // The customer's OVHcloud account, learnt when a consumer key is validated.
  @Column('text', { nullable: true }) nichandle!: string | null;
  @Column('text', { nullable: true }) contactName!: string | null;
  @Column('text', { nullable: true }) contactEmail!: string | null;
  @Column('text', { nullable: true }) notes!: string | null;
  @Column('text', { array: true }) tags!: string[];
  @Column('uuid', { nullable: true }) createdBy!: string | null;
  @Column('timestamptz') createdAt!: Date;
  @Column('timestamptz') updatedAt!: Date;
}

@Entity('account_operators')
export class AccountOperatorEntity {
  @PrimaryColumn('uuid') accountId!: string;
  @PrimaryColumn('uuid') operatorId!: string;
  @Column('timestamptz') createdAt!: Date;
}
