import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface DataKeyRow {
  id: string;
  kekId: string;
  wrappedKey: string | null;
  active: boolean;
  reservedSeals: number;
  createdAt: Date;
  deactivatedAt: Date | null;
  retiredAt: Date | null;
}

export interface SealedColumn {
  table: string;
  column: string;
  idColumn: string;
}

const COLUMNS = `id::text AS id, kek_id AS "kekId", wrapped_key AS "wrappedKey", active,
  reserved_seals::float8 AS "reservedSeals", created_at AS "createdAt", deactivated_at AS "deactivatedAt",
  retired_at AS "retiredAt"`;

// The vault's own SQL. Kept apart from VaultService so the service can run on a
// stand-in (benchmarks, unit specs).
@Injectable()
export class VaultKeyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get db(): DataSource {
    return this.dataSource;
  }

  async listDataKeys(includeRetired = false): Promise<DataKeyRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM vault_data_keys ${includeRetired ? '' : 'WHERE retired_at IS NULL'} ORDER BY created_at, id`,
    );
  }

  // `m`: the caller's transaction, when there is one (the embedded engine runs one
  // transaction at a time: a query on another connection would wait for it to end).
  async findDataKey(id: string, m?: EntityManager): Promise<DataKeyRow | undefined> {
    const rows: DataKeyRow[] = await (m ?? this.dataSource).query(
      `SELECT ${COLUMNS} FROM vault_data_keys WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async countDataKeys(): Promise<number> {
    const [{ n }] = await this.dataSource.query('SELECT count(*)::int AS n FROM vault_data_keys');
    return n;
  }

  // Takes `count` seals of the active data key's budget in one statement; every
  // instance sees the same counter, so the per-key encryption count only grows.
  async reserveSeals(count: number): Promise<DataKeyRow | undefined> {
    const rows: [DataKeyRow[], number] = await this.dataSource.query(
      `UPDATE vault_data_keys SET reserved_seals = reserved_seals + $1
        WHERE active AND purpose = 'data' RETURNING ${COLUMNS}`,
      [count],
    );
    return rows[0][0];
  }

  // Makes the new data key the active one; the previous one stays usable for opening.
  async insertActiveDataKey(id: string, kekId: string, wrappedKey: string, reserved: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE vault_data_keys SET active = false, deactivated_at = now() WHERE active AND purpose = 'data'`,
      );
      await insertDataKey(m, id, kekId, wrappedKey, true, reserved);
    });
  }

  async insertFirstDataKey(id: string, kekId: string, wrappedKey: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      // only when none exists: two instances starting together create one between them
      await m.query('LOCK TABLE vault_data_keys IN SHARE ROW EXCLUSIVE MODE');
      const [{ n }] = await m.query('SELECT count(*)::int AS n FROM vault_data_keys');
      if (n > 0) return false;
      await insertDataKey(m, id, kekId, wrappedKey, true, 0);
      return true;
    });
  }

  async upsertSealedColumns(columns: SealedColumn[]): Promise<void> {
    for (const c of columns) {
      await this.dataSource.query(
        `INSERT INTO vault_sealed_columns (table_name, column_name, id_column) VALUES ($1, $2, $3)
         ON CONFLICT (table_name, column_name) DO UPDATE SET id_column = EXCLUDED.id_column`,
        [c.table, c.column, c.idColumn],
      );
    }
  }

  async listSealedColumns(): Promise<SealedColumn[]> {
    return this.dataSource.query(
      `SELECT table_name AS "table", column_name AS "column", id_column AS "idColumn"
         FROM vault_sealed_columns ORDER BY table_name, column_name`,
    );
  }

  async columnExists(table: string, column: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
      [table, column],
    );
    return rows.length > 0;
  }

  // Counts sealed values per data key id in one registered column (the id is in clear in each value).
  async countSealedValues(c: SealedColumn): Promise<Map<string, number>> {
    const rows: { keyId: string; n: number }[] = await this.dataSource.query(
      `SELECT split_part(${ident(c.column)}, ':', 2) AS "keyId", count(*)::int AS n
         FROM ${ident(c.table)} WHERE ${ident(c.column)} IS NOT NULL GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.keyId, r.n]));
  }
}

async function insertDataKey(
  m: EntityManager,
  id: string,
  kekId: string,
  wrappedKey: string,
  active: boolean,
  reserved: number,
): Promise<void> {
  await m.query(
    `INSERT INTO vault_data_keys (id, kek_id, wrapped_key, purpose, active, reserved_seals)
     VALUES ($1, $2, $3, 'data', $4, $5)`,
    [id, kekId, wrappedKey, active, reserved],
  );
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

// Table and column names come from code (registerSealedColumn), never from a
// request; they are still checked before they go into SQL.
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`invalid SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export function isIdent(name: string): boolean {
  return IDENT.test(name);
}
