import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { OperatorRole } from '../auth/principal';

export type OperatorStatus = 'active' | 'disabled';

@Entity('operators')
export class OperatorEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) email!: string;
  @Column({ type: 'text' }) displayName!: string;
  @Column({ type: 'text' }) role!: OperatorRole;
  @Column({ type: 'text' }) status!: OperatorStatus;
  @Column({ type: 'text', select: false }) passwordHash!: string;
  // Sealed by the vault, bound to (operators, column, id).
  @Column({ type: 'text', nullable: true, select: false }) totpSecret!: string | null;
  @Column({ type: 'text', nullable: true, select: false }) totpPendingSecret!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) totpEnabledAt!: Date | null;
  @Column({ type: 'bigint', nullable: true, select: false }) totpLastStep!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) disabledAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
