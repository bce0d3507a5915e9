import type { ContributionsService, TrainingRow } from 'src/modules/contributions';
import type { DatasetRecord, DatasetRow, DatasetsService } from 'src/modules/datasets';
import { loadTrainingData, TrainingSources } from './training-data';

const dataset = { id: 'd1', hash: 'sha256:aa', rowCount: 3 } as DatasetRecord;

/** In-memory stand-ins for the two services' read methods (the e2e suites run the real ones). */
function sources(rows: DatasetRow[], contributed: TrainingRow[], benchmark: string[] = []) {
  const datasets = {
    activeBenchmark: () => Promise.resolve(benchmark.length ? ({ id: 'b1' } as DatasetRecord) : null),
    rowHashes: () => Promise.resolve(new Set(benchmark)),
    rows: async function* () {
      yield await Promise.resolve(rows);
    },
  } as unknown as DatasetsService;
  const contributions = {
    trainingRows: (_: string[], o: { after?: string }) => Promise.resolve(o.after ? [] : contributed),
  } as unknown as ContributionsService;
  return { datasets, contributions };
}

const base = (over: Partial<TrainingSources> = {}): TrainingSources => ({
  modelId: 'm1',
  dataset,
  contributions: [{ id: 'c1', walletAddress: '0xA', creditedRows: 2 }],
  features: ['a', 'b'],
  labelColumn: 'y',
  classifier: true,
  ...over,
});

describe('loadTrainingData', () => {
  it('should keep integer classes as they are and read features in the schema order when labels are integers', async () => {
    const { datasets, contributions } = sources(
      [
        { hash: 'h1', values: { b: 2, a: 1, y: 3 } },
        { hash: 'h2', values: { a: 5, b: 6, y: 7 } },
      ],
      [{ id: '1', contributionId: 'c1', hash: 'h3', data: { a: 9, b: 8, y: 3 } }],
    );
    const { data, record } = await loadTrainingData(base(), datasets, contributions);
    expect(Array.from(data.x)).toEqual([1, 2, 5, 6, 9, 8]);
    expect(Array.from(data.y)).toEqual([3, 7, 3]);
    expect(record).toMatchObject({ rows: 3, dropped: [] });
    expect(record.classes).toBeUndefined();
  });

  it('should index string labels by their sorted value and record the classes when labels are not integers', async () => {
    const { datasets, contributions } = sources(
      [
        { hash: 'h1', values: { a: 1, b: 1, y: 'yes' } },
        { hash: 'h2', values: { a: 2, b: 2, y: 'no' } },
      ],
      [],
    );
    const { data, record } = await loadTrainingData(base({ contributions: [] }), datasets, contributions);
    expect(Array.from(data.y)).toEqual([1, 0]);
    expect(record.classes).toEqual(['no', 'yes']);
  });

  it('should drop and count benchmark rows and rows with a missing value when they are among the sources', async () => {
    const { datasets, contributions } = sources(
      [
        { hash: 'h1', values: { a: 1, b: 1, y: 0 } },
        { hash: 'bench', values: { a: 2, b: 2, y: 1 } },
        { hash: 'h3', values: { a: null, b: 2, y: 1 } },
      ],
      [{ id: '1', contributionId: 'c1', hash: 'bench', data: { a: 3, b: 3, y: 0 } }],
      ['bench'],
    );
    const { data, record } = await loadTrainingData(base(), datasets, contributions);
    expect(data.rows).toBe(1);
    expect(data.x).toHaveLength(2);
    expect(record.dropped).toEqual([
      { reason: 'IN_ACTIVE_BENCHMARK', rows: 2 },
      { reason: 'MISSING_VALUE', rows: 1 },
    ]);
  });
});
