import { DatasetsService } from 'src/modules/datasets';
import { InferenceService } from 'src/modules/inference';
import { BenchmarkMatrixCache, scoreBenchmark, ScoringJob } from 'src/modules/deltaone';
import { createApiKey, CreatedKey } from '../factories/api-key.factory';
import { featureRows, labelledBy, modelWithTwoVersions, Row, uploadBenchmark } from '../factories/deltaone.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

describe('DeltaOne benchmark scoring', () => {
  let t: TestApp;
  let owner: CreatedKey;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createApiKey(t, { scopes: ['models:read', 'models:write'] });
  });

  afterAll(async () => {
    await t.close();
  });

  const jobFor = (name: string, benchmarkId: string): ScoringJob => ({
    modelName: name,
    benchmarkId,
    labelColumn: 'label',
    versions: [1, 2],
    kind: 'classes',
  });

  it('should collect the same outcomes from the packed features as from the row objects when both versions take one float matrix', async () => {
    const name = await modelWithTwoVersions(t, owner);
    // Past one chunk of either path, with values whose float32 rounding is not trivial.
    const rows: Row[] = featureRows(2300, 5).map((r, i) => ({
      ...r,
      f1: i % 7 === 0 ? 0 : r.f1,
      f2: i % 11 === 0 ? -3 : r.f2,
      f3: i % 13 === 0 ? 1e-7 : r.f3,
      f4: i % 17 === 0 ? 123456789.123 : r.f4,
      f5: i % 19 === 0 ? 0.1 : r.f5,
    }));
    const labelled = await labelledBy(t, name, 2, rows);
    const bench = await uploadBenchmark(t, owner, name, labelled);
    const datasets = t.app.get(DatasetsService);
    const inference = t.app.get(InferenceService);
    const job = jobFor(name, bench.id);

    const packed = await scoreBenchmark(datasets, inference, job);
    const fromRows = await scoreBenchmark(datasets, inference, job, 'rows');

    expect(packed.rows).toBe(2300);
    expect(packed.outcomes()).toEqual(fromRows.outcomes());
    // The packed path was the one taken: every chunk holds the rows' own numbers, in the asked order.
    const order = ['f5', 'f0', 'f4'];
    let seen = 0;
    for await (const chunk of datasets.featureChunks(bench.id, order, 'label', 1000)) {
      expect(chunk.complete).toBe(true);
      const expected = rows.slice(seen, seen + chunk.rows).flatMap((r) => order.map((f) => r[f]));
      expect(Array.from(chunk.data)).toEqual(expected);
      expect(chunk.labels).toEqual(labelled.slice(seen, seen + chunk.rows).map((r) => r.label));
      seen += chunk.rows;
    }
    expect(seen).toBe(2300);
  });

  it('should collect the same outcomes from a cached benchmark matrix as from the rows when the benchmark was read once', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const labelled = await labelledBy(t, name, 2, featureRows(2300, 9));
    const bench = await uploadBenchmark(t, owner, name, labelled);
    const datasets = t.app.get(DatasetsService);
    const inference = t.app.get(InferenceService);
    const job = jobFor(name, bench.id);
    const cache = new BenchmarkMatrixCache();

    const read = await scoreBenchmark(datasets, inference, job, 'any', { cache });
    const kept = cache.bytes;
    const cached = await scoreBenchmark(datasets, inference, job, 'any', { cache });
    const fromRows = await scoreBenchmark(datasets, inference, job, 'rows');

    // The whole matrix (2,300 rows of float32 features) was kept after the first read.
    expect(kept).toBeGreaterThan(2300 * 4);
    expect(cache.bytes).toBe(kept);
    expect(cached.rows).toBe(2300);
    expect(cached.outcomes()).toEqual(fromRows.outcomes());
    expect(read.outcomes()).toEqual(fromRows.outcomes());
  });

  it('should keep nothing in the cache when a benchmark value sends the evaluation to the row objects', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const rows = await labelledBy(t, name, 2, featureRows(50, 10));
    rows[3] = { ...rows[3], f4: 1e39 };
    const bench = await uploadBenchmark(t, owner, name, rows);
    const cache = new BenchmarkMatrixCache();

    await expect(
      scoreBenchmark(t.app.get(DatasetsService), t.app.get(InferenceService), jobFor(name, bench.id), 'any', { cache }),
    ).rejects.toThrow('Row 3, feature f4');
    expect(cache.bytes).toBe(0);
  });

  it('should take the labels from the rows jsonb when a class label is not a number', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const labelled = await labelledBy(t, name, 2, featureRows(300, 8));
    // Class names in some rows only: the chunks holding one read their labels from the jsonb, the others not.
    const rows = labelled.map((r, i) => (i >= 250 ? { ...r, label: String(r.label) } : r));
    const bench = await uploadBenchmark(t, owner, name, rows);
    const datasets = t.app.get(DatasetsService);
    const inference = t.app.get(InferenceService);
    const job = jobFor(name, bench.id);

    const packed = await scoreBenchmark(datasets, inference, job);
    const fromRows = await scoreBenchmark(datasets, inference, job, 'rows');

    expect(packed.outcomes()).toEqual(fromRows.outcomes());
    const labels: unknown[] = [];
    for await (const chunk of datasets.featureChunks(bench.id, ['f0'], 'label', 100)) {
      expect(chunk.complete).toBe(true);
      labels.push(...chunk.labels);
    }
    expect(labels).toEqual(rows.map((r) => r.label));
  });

  it('should fail the evaluation with the row encoder error when a benchmark value does not fit in float32', async () => {
    const name = await modelWithTwoVersions(t, owner);
    const rows = await labelledBy(t, name, 2, featureRows(50, 6));
    rows[3] = { ...rows[3], f4: 1e39 };
    await uploadBenchmark(t, owner, name, rows);
    const res = await t.http
      .post(`/api/v1/models/${name}/evaluations`)
      .set(owner.headers)
      .send({ candidateVersion: 2 })
      .expect(202);
    const e = await waitFor(
      async () => {
        const body = (await t.http.get(`/api/v1/evaluations/${res.body.id}`).set(owner.headers).expect(200)).body;
        return body.status === 'completed' || body.status === 'failed' ? body : undefined;
      },
      'evaluation',
      60_000,
    );
    expect(e).toMatchObject({ status: 'failed' });
    expect(e.error).toContain('Row 3, feature f4');
    expect(e.error).toContain('past the range of float32');
  });
});
