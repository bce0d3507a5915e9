/** The durable job that runs an evaluation (its id is derived from the evaluation's). */
export const EVALUATION_QUEUE = 'deltaone.evaluate';

/** Benchmark rows scored per run of each version. */
export const EVALUATION_CHUNK_ROWS = 2000;
