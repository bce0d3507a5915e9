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
    const row = await this.log.find(requestId);
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
    // The variant's running totals change in the same statement, and only when this call set the outcome (its
    // prediction may still be in a replica's buffer: the totals row may not exist yet).
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `WITH o AS (
         INSERT INTO experiment_outcomes ("requestId", "experimentId", variant, value)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING "experimentId", variant
       ), totals AS (
         INSERT INTO experiment_variant_totals AS t ("experimentId", variant, outcomes, "outcomeSum", "outcomeSumSq")
         SELECT "experimentId", variant, 1, $4, $4::float8 * $4::float8 FROM o
         ON CONFLICT ("experimentId", variant) DO UPDATE SET outcomes = t.outcomes + 1,
           "outcomeSum" = t."outcomeSum" + excluded."outcomeSum", "outcomeSumSq" = t."outcomeSumSq" + excluded."outcomeSumSq"
       )
       SELECT count(*)::int AS n FROM o`,
      [requestId, row.experimentId, row.variant, value],
    );
    if (n === 1) return this.result(requestId, row, value, true);
    const [recorded]: { value: number }[] = await this.dataSource.query(
      `SELECT value FROM experiment_outcomes WHERE "requestId" = $1`,
      [requestId],
    );
    if (recorded.value !== value) {
      throw new ExperimentsError(
        'OUTCOME_CONFLICT',
        `Prediction ${requestId} already has the outcome ${recorded.value}; an outcome is recorded once.`,
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
