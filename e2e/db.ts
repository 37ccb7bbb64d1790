import postgres from 'postgres';

/** Direct database access for assertions about rows (the stack's DATABASE_URL from global setup). */
let sql: postgres.Sql | undefined;
export function db(): postgres.Sql {
  sql ??= postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  return sql;
}
