import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/test-app';

describe('health and metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer liveness without a key when the process is up', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('should report every component when the detailed health is asked for', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      components: {
        api: { status: 'up' },
        database: { status: 'up' },
        migrations: { status: 'up' },
        redis: { status: 'disabled' },
        jobs: { status: 'up' },
      },
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptime: expect.any(Number),
    });
  });

  it('should be ready when the database is reachable and migrated', async () => {
    await t.http.get('/health/ready').expect(200);
  });

  it('should answer 503 on readiness when a migration is not applied', async () => {
    const ds = t.app.get(DataSource);
    const [last] = await ds.query('SELECT * FROM migrations ORDER BY id DESC LIMIT 1');
    await ds.query('DELETE FROM migrations WHERE id = $1', [last.id]);
    try {
      const res = await t.http.get('/health/ready').expect(503);
      expect(res.body.components.migrations).toMatchObject({ status: 'down', detail: 'migrations are pending' });
    } finally {
      await ds.query('INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)', [
        last.id,
        last.timestamp,
        last.name,
      ]);
    }
  });

  it('should expose Prometheus metrics with the HTTP histogram by route when scraped', async () => {
    await t.http.get('/health/live').expect(200);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/,
    );
  });
});
