/**
 * An error of the Kafka client in one line: the client nests what went wrong (a refused connection,
 * UNKNOWN_TOPIC_OR_PARTITION) inside "failed N times" aggregates; this names the distinct innermost
 * messages after `what` (what the connector was doing), and keeps the client's error as the cause.
 */
export function kafkaError(what: string, error: unknown): Error {
  return new Error(`${what}: ${[...new Set(innermost(error))].join('; ')}`, { cause: error });
}

function innermost(error: unknown): string[] {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.flatMap(innermost);
  if (error instanceof Error && error.cause !== undefined) return innermost(error.cause);
  return [error instanceof Error ? error.message : String(error)];
}
