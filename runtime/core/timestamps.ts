/** Timestamp of a record that carries none (Flink's "no timestamp"). */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;
