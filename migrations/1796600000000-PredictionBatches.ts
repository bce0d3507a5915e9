import { MigrationInterface, QueryRunner } from 'typeorm';

/** Entries of each old log row, in a stable order, for array_agg. */
const ORDER = `ORDER BY e."createdAt", e."requestId"`;

/**
 * The prediction log as a row per flush with its entries as arrays (experiment_prediction_batches), outcomes in a
 * table of their own, and the callers' request ids kept apart so that a replayed one is logged once. The old
 * rows move over, a batch per experiment and second; experiment_predictions becomes a view of one row per
 * prediction, for people reading the log with SQL.
 */
export class PredictionBatches1796600000000 implements MigrationInterface {
  name = 'PredictionBatches1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "experiment_prediction_batches" ("id" BIGSERIAL NOT NULL, "experimentId" uuid NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "size" integer NOT NULL, "variants" text array NOT NULL, "versions" integer array NOT NULL, "random" boolean array NOT NULL, "requestIds" text array NOT NULL, "assignments" smallint array NOT NULL, "servedVersions" integer array NOT NULL, "units" text array NOT NULL, "callerOwners" text array NOT NULL, "loggedAtMs" double precision array NOT NULL, "latencyUs" integer array NOT NULL, "errors" text array NOT NULL, CONSTRAINT "PK_e1e9800f0ce21522531d94b7d91" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_prediction_batches_created" ON "experiment_prediction_batches"  ("createdAt") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_prediction_batches_experiment" ON "experiment_prediction_batches"  ("experimentId", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "experiment_outcomes" ("requestId" character varying(100) NOT NULL, "experimentId" uuid NOT NULL, "variant" character varying(50) NOT NULL, "value" double precision NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_536b5129acbfc3dfd79b163cccf" PRIMARY KEY ("requestId"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_experiment_outcomes_created" ON "experiment_outcomes"  ("createdAt") `);
    await queryRunner.query(
      `CREATE TABLE "experiment_client_request_ids" ("requestId" character varying(100) NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c99f994c4950ca65f3787c0af61" PRIMARY KEY ("requestId"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_client_request_ids_created" ON "experiment_client_request_ids"  ("createdAt") `,
    );
    // Random request ids and units gain nothing from compression, which costs CPU on every flush.
    await queryRunner.query(
      `ALTER TABLE "experiment_prediction_batches" ALTER COLUMN "requestIds" SET STORAGE EXTERNAL, ALTER COLUMN "units" SET STORAGE EXTERNAL`,
    );
    // No statistics for the arrays: no query filters on their contents but the request-id lookup (the GIN index
    // is chosen without them), and ANALYZE's element statistics of a few hundred 500-entry rows took ~300 ms of
    // CPU, every minute as the table grew.
    await queryRunner.query(
      `ALTER TABLE "experiment_prediction_batches" ALTER COLUMN "variants" SET STATISTICS 0, ALTER COLUMN "versions" SET STATISTICS 0, ALTER COLUMN "random" SET STATISTICS 0, ALTER COLUMN "requestIds" SET STATISTICS 0, ALTER COLUMN "assignments" SET STATISTICS 0, ALTER COLUMN "servedVersions" SET STATISTICS 0, ALTER COLUMN "units" SET STATISTICS 0, ALTER COLUMN "callerOwners" SET STATISTICS 0, ALTER COLUMN "loggedAtMs" SET STATISTICS 0, ALTER COLUMN "latencyUs" SET STATISTICS 0, ALTER COLUMN "errors" SET STATISTICS 0`,
    );
    // Without the pending list: a search scans the whole list (16 ms and more per outcome lookup when it is full),
    // for ~2.4 µs of PostgreSQL's CPU more per logged prediction.
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_prediction_batches_request_ids" ON "experiment_prediction_batches" USING gin ("requestIds") WITH (fastupdate = off)`,
    );
    await queryRunner.query(
      `WITH e AS (
               SELECT p.*, date_trunc('second', p."createdAt") AS s,
                      dense_rank() OVER (PARTITION BY p."experimentId", date_trunc('second', p."createdAt")
                                         ORDER BY p.variant, p.version, p.random)::smallint AS pos
                 FROM experiment_predictions p
             ), d AS (
               SELECT "experimentId", s, array_agg(variant ORDER BY pos) AS variants,
                      array_agg(version ORDER BY pos) AS versions, array_agg(random ORDER BY pos) AS random
                 FROM (SELECT DISTINCT "experimentId", s, pos, variant, version, random FROM e) x
                GROUP BY "experimentId", s
             )
             INSERT INTO experiment_prediction_batches ("experimentId", "createdAt", size, variants, versions, random,
               "requestIds", assignments, "servedVersions", units, "callerOwners", "loggedAtMs", "latencyUs", errors)
             SELECT e."experimentId", max(e."createdAt"), count(*), d.variants, d.versions, d.random,
                    array_agg(e."requestId" ${ORDER}), array_agg(e.pos ${ORDER}), array_agg(e."servedVersion" ${ORDER}),
                    array_agg(e.unit ${ORDER}), array_agg(e."callerOwner" ${ORDER}),
                    array_agg(extract(epoch FROM e."createdAt") * 1000 ${ORDER}),
                    array_agg(round(e."latencyMs" * 1000)::int ${ORDER}), array_agg(e.error ${ORDER})
               FROM e JOIN d USING ("experimentId", s)
              GROUP BY e."experimentId", e.s, d.variants, d.versions, d.random`,
    );
    await queryRunner.query(
      `INSERT INTO experiment_outcomes ("requestId", "experimentId", variant, value, "createdAt")
             SELECT "requestId", "experimentId", variant, outcome, coalesce("outcomeAt", "createdAt")
               FROM experiment_predictions WHERE outcome IS NOT NULL`,
    );
    // Which old request ids the callers chose is not known: all are kept, so that none is logged twice.
    await queryRunner.query(
      `INSERT INTO experiment_client_request_ids ("requestId", "createdAt")
             SELECT "requestId", "createdAt" FROM experiment_predictions`,
    );
    await queryRunner.query(`DROP TABLE "experiment_predictions"`);
    await queryRunner.query(
      `CREATE VIEW "experiment_predictions" AS
             SELECT x."requestId", b."experimentId", b.variants[x.a] AS variant, b.versions[x.a] AS version,
                    x."servedVersion", x.unit, b.random[x.a] AS random, x."callerOwner",
                    to_timestamp(x.ms / 1000) AS "createdAt", x.us::float8 / 1000 AS "latencyMs", x.error,
                    o.value AS outcome, o."createdAt" AS "outcomeAt", b.id AS "batchId"
               FROM experiment_prediction_batches b
              CROSS JOIN LATERAL unnest(b."requestIds", b.assignments, b."servedVersions", b.units, b."callerOwners",
                                        b."loggedAtMs", b."latencyUs", b.errors)
                         AS x("requestId", a, "servedVersion", unit, "callerOwner", ms, us, error)
               LEFT JOIN experiment_outcomes o ON o."requestId" = x."requestId"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER VIEW "experiment_predictions" RENAME TO "experiment_predictions_view"`);
    await queryRunner.query(
      `CREATE TABLE "experiment_predictions" ("requestId" character varying(100) NOT NULL, "experimentId" uuid NOT NULL, "variant" character varying(50) NOT NULL, "version" integer NOT NULL, "servedVersion" integer, "unit" character varying(200), "random" boolean NOT NULL, "callerOwner" character varying(100) NOT NULL, "createdAt" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "latencyMs" double precision NOT NULL, "error" character varying(100), "outcome" double precision, "outcomeAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8f53e9434b4bfe4c7318d4db0e0" PRIMARY KEY ("requestId"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_predictions_created" ON "experiment_predictions" ("createdAt") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experiment_predictions_variant" ON "experiment_predictions" ("experimentId", "variant", "createdAt") `,
    );
    await queryRunner.query(
      `INSERT INTO experiment_predictions SELECT "requestId", "experimentId", variant, version, "servedVersion", unit,
               random, "callerOwner", "createdAt", "latencyMs", error, outcome, "outcomeAt"
               FROM experiment_predictions_view ON CONFLICT DO NOTHING`,
    );
    await queryRunner.query(`DROP VIEW "experiment_predictions_view"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_prediction_batches_request_ids"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_client_request_ids_created"`);
    await queryRunner.query(`DROP TABLE "experiment_client_request_ids"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_outcomes_created"`);
    await queryRunner.query(`DROP TABLE "experiment_outcomes"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_prediction_batches_experiment"`);
    await queryRunner.query(`DROP INDEX "public"."idx_experiment_prediction_batches_created"`);
    await queryRunner.query(`DROP TABLE "experiment_prediction_batches"`);
  }
}
