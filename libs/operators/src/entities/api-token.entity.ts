import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OperatorRole } from '../auth/principal';

@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) operatorId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) role!: OperatorRole;
  @Column({ type: 'text', select: false }) tokenHash!: string;
  @Column({ type: 'text' }) tokenPrefix!: string;
  @Column({ type: 'jsonb' }) ipAllowList!: string[];
  @Column({ type: 'timestamptz' }) expiresAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
