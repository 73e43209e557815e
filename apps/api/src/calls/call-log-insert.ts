/**
 * One INSERT per batch of recorded calls, with the whole batch as a single JSON parameter that the database
 * unpacks itself (SQLite's json_each, PostgreSQL's json_array_elements). Binding a value per column per row
 * cost the proxy more CPU than the calls it recorded (the SQLite driver converts each value on the main thread
 * and re-parses a statement of thousands of placeholders per batch); one JSON text is one native
 * JSON.stringify here and C code in the database.
 */
import type { DataSource } from 'typeorm';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * PostgreSQL `timestamp without time zone`: the node-postgres driver sends a Date as local time and the column
 * keeps the wall clock, so rows written here compare and read back like the ORM's.
 */
function postgresTimestamp(epochMs: number): string {
  const date = new Date(epochMs);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

export interface BatchInsert {
  sql: string;
  /** The one parameter of `sql` for these rows: each row its values in the order of `columns`, timestamps as epoch milliseconds. */
  parameter(rows: unknown[][]): string;
}

/**
 * The batch INSERT of an entity's table for the data source's dialect (SQLite or PostgreSQL), its values listed
 * in the order of `columns` (property names). Throws when `columns` is not exactly the entity's columns, so a
 * column added to the entity and not to the row fails at start, not silently.
 */
export function batchInsertOf(dataSource: DataSource, entity: new () => object, columns: readonly string[]): BatchInsert {
  const metadata = dataSource.getMetadata(entity);
  const { driver } = dataSource;
  const postgres = dataSource.options.type === 'postgres';
  const known = metadata.columns.map((column) => column.propertyName);
  if (known.length !== columns.length || !known.every((name) => columns.includes(name)))
    throw new Error(`${metadata.tableName}: the batch insert lists ${columns.join(', ')}; the entity has ${known.join(', ')}`);
  const described = columns.map((property) => {
    const column = metadata.columns.find((candidate) => candidate.propertyName === property);
    if (!column) throw new Error(`${metadata.tableName} has no column ${property}`);
    return {
      name: driver.escape(column.databaseName),
      kind: column.type === Date ? 'timestamp' : column.type === 'integer' ? 'integer' : 'text',
    };
  });
  const timestamps = described.flatMap((column, index) => (column.kind === 'timestamp' ? [index] : []));
  const selected = described
    .map((column, index) => {
      if (postgres) return `(r->>${index})${column.kind === 'integer' ? '::integer' : column.kind === 'timestamp' ? '::timestamp' : ''}`;
      const value = `json_extract(value, '$[${index}]')`;
      // The ORM's own datetime text (UTC, `YYYY-MM-DD HH:MM:SS.mmm`), made by SQLite rather than per row here.
      return column.kind === 'timestamp' ? `strftime('%Y-%m-%d %H:%M:%f', ${value} / 1000.0, 'unixepoch')` : value;
    })
    .join(', ');
  const names = described.map((column) => column.name).join(', ');
  const table = driver.escape(metadata.tableName);
  return {
    sql: postgres
      ? `INSERT INTO ${table} (${names}) SELECT ${selected} FROM json_array_elements($1::json) AS r`
      : `INSERT INTO ${table} (${names}) SELECT ${selected} FROM json_each(?)`,
    parameter: (rows) => {
      if (postgres) for (const row of rows) for (const index of timestamps) row[index] = postgresTimestamp(Number(row[index]));
      return JSON.stringify(rows);
    },
  };
}
