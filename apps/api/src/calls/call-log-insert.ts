/**
 * One INSERT per batch of recorded calls, with the batch as two JSON parameters that the database unpacks itself
 * (SQLite's json_each, PostgreSQL's json_array_elements): the contexts (what a session's calls share) and the
 * rows (each call's own values after the index of its context). Binding a value per column per row cost the
 * proxy more CPU than the calls it recorded (the SQLite driver converts each value on the main thread and
 * re-parses a statement of thousands of placeholders per batch); two JSON texts are two native JSON.stringify
 * calls here and C code in the database.
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
  /** The two parameters of `sql`: contexts (values in `shared` order), rows (a context index, then values in `own` order; timestamps as epoch ms). */
  parameters(contexts: unknown[][], rows: unknown[][]): [string, string];
}

type Kind = 'text' | 'integer' | 'timestamp';

/**
 * The batch INSERT of an entity's table for the data source's dialect (SQLite or PostgreSQL). Throws when
 * `shared` and `own` together are not exactly the entity's columns, so a column added to the entity and not
 * to the batch fails at start, not silently.
 */
export function batchInsertOf(
  dataSource: DataSource,
  entity: new () => object,
  columns: { shared: readonly string[]; own: readonly string[] },
): BatchInsert {
  const metadata = dataSource.getMetadata(entity);
  const { driver } = dataSource;
  const postgres = dataSource.options.type === 'postgres';
  const listed = [...columns.shared, ...columns.own];
  const known = metadata.columns.map((column) => column.propertyName);
  if (known.length !== listed.length || !known.every((name) => listed.includes(name)))
    throw new Error(`${metadata.tableName}: the batch insert lists ${listed.join(', ')}; the entity has ${known.join(', ')}`);
  const describe = (property: string): { name: string; kind: Kind } => {
    const column = metadata.columns.find((candidate) => candidate.propertyName === property);
    if (!column) throw new Error(`${metadata.tableName} has no column ${property}`);
    return {
      name: driver.escape(column.databaseName),
      kind: column.type === Date ? 'timestamp' : column.type === 'integer' ? 'integer' : 'text',
    };
  };
  const shared = columns.shared.map(describe);
  const own = columns.own.map(describe);
  const timestamps = own.flatMap((column, index) => (column.kind === 'timestamp' ? [index + 1] : []));
  const names = [...shared, ...own].map((column) => column.name).join(', ');
  const table = driver.escape(metadata.tableName);

  const read = (source: string, index: number, kind: Kind): string => {
    if (postgres) return `(${source}->>${index})${kind === 'integer' ? '::integer' : kind === 'timestamp' ? '::timestamp' : ''}`;
    const value = `json_extract(${source}, '$[${index}]')`;
    // The ORM's own datetime text (UTC, `YYYY-MM-DD HH:MM:SS.mmm`), made by SQLite rather than per row here.
    return kind === 'timestamp' ? `strftime('%Y-%m-%d %H:%M:%f', ${value} / 1000.0, 'unixepoch')` : value;
  };
  const contextColumns = shared
    .map((column, index) => `${read(postgres ? 'c.value' : 'value', index, column.kind)} AS c${index}`)
    .join(', ');
  const selected = [
    ...shared.map((_column, index) => `ctx.c${index}`),
    ...own.map((column, index) => read('r.value', index + 1, column.kind)),
  ].join(', ');
  // Contexts are few: read once into a table, joined to each row by index (in SQLite, CROSS JOIN keeps the rows the outer loop).
  const sql = postgres
    ? `WITH ctx AS (SELECT (c.ordinality - 1)::integer AS k, ${contextColumns} FROM json_array_elements($1::json) WITH ORDINALITY AS c(value, ordinality)) ` +
      `INSERT INTO ${table} (${names}) SELECT ${selected} FROM json_array_elements($2::json) AS r(value) JOIN ctx ON ctx.k = (r.value->>0)::integer`
    : `WITH ctx AS MATERIALIZED (SELECT key AS k, ${contextColumns} FROM json_each(?1)) ` +
      `INSERT INTO ${table} (${names}) SELECT ${selected} FROM json_each(?2) AS r CROSS JOIN ctx ON ctx.k = json_extract(r.value, '$[0]')`;
  return {
    sql,
    parameters: (contexts, rows) => {
      if (postgres) for (const row of rows) for (const index of timestamps) row[index] = postgresTimestamp(Number(row[index]));
      return [JSON.stringify(contexts), JSON.stringify(rows)];
    },
  };
}
