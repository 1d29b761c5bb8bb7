/**
 * Why the database could not serve a statement, when the fault is the connection and not the
 * statement: the server went away (restart, failover, `pg_terminate_backend`), refuses
 * connections, or SQLite's file stayed locked past busy_timeout. null for any other error.
 * Such a request failed through no fault of the client's; it may be retried (HTTP 503).
 */
export function databaseUnavailable(error: unknown): string | null {
  const { code, message, cause } = (error ?? {}) as { code?: unknown; message?: unknown; cause?: unknown };
  if (cause) {
    const why = databaseUnavailable(cause);
    if (why) return why;
  }
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string') {
    // PostgreSQL classes 08 (connection exception) and 57P (operator intervention), too many clients.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') return 'the database connection was lost';
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) {
      return 'the database cannot be reached';
    }
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') return 'the database is busy';
  }
  // node-postgres reports a dropped socket and a full pool by message only.
  if (/^Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i.test(text)) {
    return 'the database connection was lost';
  }
  return null;
}

/**
 * A write that a foreign key refused: the row it refers to was deleted by a racing request (the
 * write path's locks should make this rare). A conflict with the database's state, not a crash.
 */
export function foreignKeyViolation(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
