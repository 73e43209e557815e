/**
 * One INSERT per batch of recorded calls, with the whole batch as a single JSON parameter that the database
 * unpacks itself (SQLite's json_each, PostgreSQL's json_array_elements). Binding a value per column per row
 * cost the proxy more CPU than the calls it recorded (the SQLite driver converts each value on the main thread
 * and re-parses a statement of thousands of placeholders per batch); one JSON text is one native
 * JSON.stringify here and C code in the database.
 */
import type { DataSource } from 'typeorm';

/** The kinds of column the call log has; each is packed and unpacked its own way. */
type ColumnKind = 'text' | 'integer' | 'timestamp';

interface InsertColumn {
  property: string;
  name: string;
  kind: ColumnKind;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** SQLite: the ORM's own datetime text (UTC, `YYYY-MM-DD HH:MM:SS.mmm`), so rows read back as the ORM wrote them. */
function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * PostgreSQL `timestamp without time zone`: the node-postgres driver sends a Date as local time and the column
 * keeps the wall clock, so rows written here compare and read back like the ORM's.
 */
function postgresTimestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

export interface BatchInsert<Row> {
  sql: string;
  /** The one parameter of `sql` for these rows. */
  parameter(rows: readonly Row[]): string;
}

/** The batch INSERT of an entity's table, for the data source's dialect (SQLite or PostgreSQL). */
export function batchInsertOf<Row extends object>(dataSource: DataSource, entity: new () => Row): BatchInsert<Row> {
  const metadata = dataSource.getMetadata(entity);
  const { driver } = dataSource;
  const postgres = dataSource.options.type === 'postgres';
  const columns: InsertColumn[] = metadata.columns.map((column) => ({
    property: column.propertyName,
    name: driver.escape(column.databaseName),
    kind: column.type === Date ? 'timestamp' : column.type === 'integer' ? 'integer' : 'text',
  }));
  const stamp = postgres ? postgresTimestamp : sqliteTimestamp;
  const names = columns.map((column) => column.name).join(', ');
  const table = driver.escape(metadata.tableName);
  const extract = (column: InsertColumn, index: number): string => {
    if (!postgres) return `json_extract(value, '$[${index}]')`;
    const cast = column.kind === 'integer' ? '::integer' : column.kind === 'timestamp' ? '::timestamp' : '';
    return `(r->>${index})${cast}`;
  };
  const selected = columns.map(extract).join(', ');
  const sql = postgres
    ? `INSERT INTO ${table} (${names}) SELECT ${selected} FROM json_array_elements($1::json) AS r`
    : `INSERT INTO ${table} (${names}) SELECT ${selected} FROM json_each(?)`;
  return {
    sql,
    parameter: (rows) =>
      JSON.stringify(
        rows.map((row) =>
          columns.map((column) => {
            const value = (row as Record<string, unknown>)[column.property];
            return value instanceof Date ? stamp(value) : (value ?? null);
          }),
        ),
      ),
  };
}
