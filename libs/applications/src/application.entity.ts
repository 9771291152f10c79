import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('applications')
export class ApplicationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') label!: string;
  // What the admin typed: a catalogue name (ovh-eu) or a custom base URL.
  @Column('text') endpoint!: string;
  @Column('text') endpointBaseUrl!: string;
  @Column('text') appKey!: string;
  // Vault-sealed, AAD bound to (applications, app_secret_sealed, id).
  @Column('text') appSecretSealed!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('uuid', { nullable: true }) createdBy!: string | null;
  @Column('timestamptz') createdAt!: Date;
  @Column('timestamptz') updatedAt!: Date;
  @Column('timestamptz', { nullable: true }) disabledAt!: Date | null;
}
