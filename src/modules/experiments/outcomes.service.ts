import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from 'src/platform/auth';
import { ExperimentEntity } from './experiment.entity';
import { ExperimentsError } from './experiments.errors';
import { LoggedPrediction, PredictionLog } from './prediction-log';

export interface RecordedOutcome {
  requestId: string;
  experimentId: string;
  variant: string;
  value: number;
  /** False when the same value had been recorded before (the call changed nothing). */
  created: boolean;
}

/** Outcomes of routed predictions: one value per request id, set once. */
@Injectable()
export class OutcomesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly log: PredictionLog,
  ) {}

  async record(principal: Principal, requestId: string, value: number): Promise<RecordedOutcome> {
    let row = await this.log.find(requestId);
    if (!row) {
      // Served by this replica a moment ago: its log entry may still be in the buffer, or in a batch being written
      // (the buffer is already empty then); flush waits for that write and writes the rest.
      await this.log.flush();
      row = await this.log.find(requestId);
    }
    const experiment = row
      ? await this.dataSource.getRepository(ExperimentEntity).findOneBy({ id: row.experimentId })
      : null;
    if (!row || !experiment || !mayReport(principal, row, experiment)) {
      throw new ExperimentsError('PREDICTION_NOT_FOUND', `No prediction ${requestId} was served in an experiment.`);
    }
    if (experiment.primaryMetric.kind === 'proportion' && value !== 0 && value !== 1) {
      throw ExperimentsError.field(
        'value',
        `Experiment ${experiment.name} measures a proportion: value must be 0 or 1.`,
      );
    }
    if (row.outcome === null) {
      // The variant's running totals change in the same statement, and only when this call set the outcome.
      const [{ n }]: { n: number }[] = await this.dataSource.query(
        `WITH o AS (
           INSERT INTO experiment_outcomes ("requestId", "batchId", "experimentId", variant, value)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING "experimentId", variant
         ), totals AS (
           UPDATE experiment_variant_totals t SET outcomes = t.outcomes + 1, "outcomeSum" = t."outcomeSum" + $5,
                  "outcomeSumSq" = t."outcomeSumSq" + $5::float8 * $5::float8
             FROM o WHERE t."experimentId" = o."experimentId" AND t.variant = o.variant
         )
         SELECT count(*)::int AS n FROM o`,
        [requestId, row.batchId, row.experimentId, row.variant, value],
      );
      if (n === 1) return this.result(requestId, row, value, true);
      row = (await this.log.find(requestId))!;
    }
    if (row.outcome !== value) {
      throw new ExperimentsError(
        'OUTCOME_CONFLICT',
        `Prediction ${requestId} already has the outcome ${row.outcome}; an outcome is recorded once.`,
      );
    }
    return this.result(requestId, row, value, false);
  }

  private result(requestId: string, row: LoggedPrediction, value: number, created: boolean): RecordedOutcome {
    return { requestId, experimentId: row.experimentId, variant: row.variant, value, created };
  }
}

/** The key's owner that asked, the experiment's owner, or an admin; to anyone else the request id is unknown. */
function mayReport(principal: Principal, row: LoggedPrediction, experiment: ExperimentEntity): boolean {
  return principal.isAdmin || principal.owner === row.callerOwner || principal.owner === experiment.owner;
}
