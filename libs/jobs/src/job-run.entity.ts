import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('job_runs')
export class JobRunEntity {
  @PrimaryColumn('text') name!: string;
  @Column('timestamptz', { nullable: true }) lastStartedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) lastFinishedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) lastSucceededAt!: Date | null;
  @Column('text', { nullable: true }) lastError!: string | null;
  @Column('integer', { nullable: true }) lastDurationMs!: number | null;
  @Column('bigint') runs!: string;
  @Column('bigint') failures!: string;
  @Column('timestamptz') updatedAt!: Date;
}
