/**
 * How the connectors' Kafka clients retry a failed request: 10 times, 500 ms apart, so an
 * unreachable broker or a missing topic fails the task within about 5 s with the reason (and the
 * job's restart strategy takes over), where the client's idempotent producer would retry forever.
 */
export const CLIENT_RETRIES = { retries: 10, retryDelay: 500 } as const;
