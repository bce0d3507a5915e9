import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { metricNames, readAlertRules, readDashboard, readYaml } from '../support/promql';

const DEPLOY = join(__dirname, '../../deploy');
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: { job_name: string; metrics_path?: string; [key: string]: unknown }[];
}

interface Compose {
  services: Record<string, { volumes?: string[]; depends_on?: Record<string, { condition: string }> }>;
}

/** Brackets and quotes balance: the most common way a hand-edited PromQL expression breaks. */
function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
    else if (ch === '"') return false;
  }
  return stack.length === 0;
}

// promtool checks the same files in `npm run deploy:lint` where it is installed; this is the check that always runs.
describe('monitoring configuration', () => {
  const prometheusFile = join(DEPLOY, 'prometheus/prometheus.yml');
  const prometheus = readYaml<PrometheusConfig>(prometheusFile);
  const alerts = readAlertRules(join(DEPLOY, 'prometheus/alerts.yml'));
  const dashboard = readDashboard(join(DEPLOY, 'grafana/dashboards/deltaone.json'));

  it('should only use known top-level keys and valid durations when Prometheus reads its config', () => {
    expect(Object.keys(prometheus).sort()).toEqual(['global', 'rule_files', 'scrape_configs']);
    for (const value of Object.values(prometheus.global)) expect(value).toMatch(DURATION);
  });

  it('should find every rule file next to the config when Prometheus resolves relative paths', () => {
    for (const file of prometheus.rule_files) expect(existsSync(join(dirname(prometheusFile), file))).toBe(true);
  });

  it('should scrape /metrics of the api on its container port when the api job is configured', () => {
    const names = prometheus.scrape_configs.map((s) => s.job_name);
    expect(new Set(names).size).toBe(names.length);
    const api = prometheus.scrape_configs.find((s) => s.job_name === 'deltaone-api');
    expect(api).toMatchObject({
      metrics_path: '/metrics',
      dns_sd_configs: [{ names: ['api'], type: 'A', port: 3000 }],
    });
  });

  it('should give every alert a name, a balanced expression, a severity and a summary when the rules load', () => {
    const names = alerts.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(new Set(names).size).toBe(names.length);
    for (const group of alerts.groups) {
      expect(group.name).toEqual(expect.any(String));
      for (const rule of group.rules) {
        const keys = Object.keys(rule);
        expect(keys.filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(k))).toEqual([]);
        expect(balanced(rule.expr)).toBe(true);
        if (rule.for !== undefined) expect(rule.for).toMatch(DURATION);
        expect(['critical', 'warning']).toContain(rule.labels?.severity);
        expect(rule.annotations?.summary).toEqual(expect.any(String));
      }
    }
  });

  it('should alert on readiness, 5xx, webhook failures and mint failures when the rules are read', () => {
    const used = new Set(alerts.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr))));
    for (const name of [
      'health_ready',
      'http_request_duration_seconds_count',
      'webhook_deliveries_total',
      'rewards_mint_failures_total',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('should give every panel a unique id and balanced queries on the provisioned data source when the dashboard parses', () => {
    const source = readYaml<{ datasources: { uid: string }[] }>(
      join(DEPLOY, 'grafana/provisioning/datasources/prometheus.yml'),
    );
    const uid = source.datasources[0].uid;
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid).toBe(uid);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets!) expect(balanced(target.expr)).toBe(true);
    }
  });

  it('should mount the configs the compose services read when docker-compose starts them', () => {
    const compose = readYaml<Compose>(join(__dirname, '../../docker-compose.yml'));
    const mounts = Object.values(compose.services).flatMap((s) => s.volumes ?? []);
    for (const dir of ['./deploy/prometheus', './deploy/grafana/provisioning', './deploy/grafana/dashboards']) {
      expect(mounts.some((m) => m.startsWith(`${dir}:`))).toBe(true);
    }
    expect(compose.services.api.depends_on?.postgres.condition).toBe('service_healthy');
    expect(compose.services.grafana.depends_on?.prometheus.condition).toBe('service_healthy');
  });
});

describe('metricNames', () => {
  it('should name histogram series and skip functions, labels and grouping when given a quantile query', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, model) (rate(inference_duration_seconds_bucket{job="x"}[5m])))',
      ),
    ).toEqual(['inference_duration_seconds_bucket']);
  });

  it('should name both sides and skip keywords when given a binary expression with or', () => {
    expect(metricNames('up{job="a"} == 0 or health_ready{status=~"5.."} == 0')).toEqual(['up', 'health_ready']);
  });
});

describe('dashboard file', () => {
  it('should be valid JSON when read as text', () => {
    const text = readFileSync(join(DEPLOY, 'grafana/dashboards/deltaone.json'), 'utf8');
    expect(() => JSON.parse(text)).not.toThrow();
  });
});
