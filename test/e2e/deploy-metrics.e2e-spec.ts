import { join } from 'node:path';
import { declaredMetrics, familyOf, metricNames, readAlertRules, readDashboard } from '../support/promql';
import { createTestApp, TestApp } from '../support/test-app';

const DEPLOY = join(__dirname, '../../deploy');

/** The metrics the dashboard and the alerts read from the feature modules, with the labels they group by. */
const EXPECTED_ELSEWHERE = {
  deltaone_decisions_total: ['reason'],
  rewards_minted_tokens_total: ['token'],
  rewards_mint_failures_total: [],
  training_runs_total: ['status'],
  experiment_requests_total: ['experiment', 'variant'],
} as const;

/** Series Prometheus makes itself, never in /metrics. */
const SYNTHETIC = new Set(['up']);

describe('dashboard and alert metrics against a running server', () => {
  let t: TestApp;
  let declared: Map<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/no-such-route').expect(404);
    await t.http.get('/api/v1/models').set(t.admin).expect(200);
    const res = await t.http.get('/metrics').expect(200);
    declared = declaredMetrics(res.text);
  });

  afterAll(async () => {
    await t.close();
  });

  const dashboard = readDashboard(join(DEPLOY, 'grafana/dashboards/deltaone.json'));
  const alerts = readAlertRules(join(DEPLOY, 'prometheus/alerts.yml'));
  const queries = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((q) => ({ where: `panel "${p.title}"`, expr: q.expr }))),
    ...alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];
  const used = new Set(queries.flatMap((q) => metricNames(q.expr)));

  it('should find every metric of the dashboard and the alerts in /metrics when the server runs', () => {
    const missing = queries.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !SYNTHETIC.has(name) && !familyOf(name, declared))
        .map((name) => `${name} (${where})`),
    );
    expect(missing).toEqual([]);
  });

  it('should use every metric expected from other modules in a panel or an alert when the list names it', () => {
    expect(Object.keys(EXPECTED_ELSEWHERE).filter((name) => !used.has(name))).toEqual([]);
  });

  it('should group the metrics of other modules only by the labels expected of them when a query reads one', () => {
    const unexpected = queries.flatMap(({ where, expr }) =>
      Object.entries(EXPECTED_ELSEWHERE)
        .filter(([name]) => metricNames(expr).includes(name))
        .flatMap(([name, labels]) =>
          [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)]
            .flatMap((m) => m[1].split(',').map((l) => l.trim()))
            .filter((l) => l && l !== 'le' && !(labels as readonly string[]).includes(l))
            .map((l) => `${name} by ${l} (${where})`),
        ),
    );
    expect(unexpected).toEqual([]);
  });

  it('should report the server ready in the readiness gauges when every component is up', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/^health_ready 1$/m);
    expect(res.text).toMatch(/^health_component_up\{component="database"\} 1$/m);
    expect(res.text).not.toMatch(/^health_component_up\{component="redis"\}/m);
  });
});
