import { loadAll } from 'js-yaml';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentVariableNames, validateEnvironment } from 'src/platform/config';
import { makeTempDir } from '../support/temp-dir';

const ROOT = join(__dirname, '../..');
const K8S = join(ROOT, 'deploy/k8s');

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML; kubernetes-models validates their shape */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };

function manifests(): (Manifest & { file: string })[] {
  return readdirSync(K8S)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((file) =>
      loadAll(readFileSync(join(K8S, file), 'utf8'))
        .filter(Boolean)
        .map((doc) => ({ ...(doc as Manifest), file })),
    );
}

function find(kind: string, name?: string): Manifest {
  const found = manifests().find((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} in deploy/k8s`);
  return found;
}

function validate(dir: string): { status: number | null; results: { kind: string; error?: string }[] } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/k8s-validate.mjs'), dir], { encoding: 'utf8' });
  const results = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { kind: string; error?: string });
  return { status: r.status, results };
}

/** Values that pass validation, standing in for the Secret's placeholders. */
const REAL_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://deltaone:pw@postgres:5432/deltaone',
  ADMIN_API_KEY: 'admin-key-0123456789abcdef0123456789',
  WEBHOOK_SECRET_KEY: 'ab'.repeat(32),
  CONTRIBUTION_PSEUDONYM_SECRET: 'x'.repeat(40),
  S3_ACCESS_KEY_ID: 'access',
  S3_SECRET_ACCESS_KEY: 'secret',
  ETH_RPC_URL: 'https://rpc.example.com/key',
  MINTER_PRIVATE_KEY: `0x${'12'.repeat(32)}`,
};

describe('Kubernetes manifests', () => {
  const deployment = find('Deployment', 'deltaone-api');
  const pod = deployment.spec.template;
  const api = pod.spec.containers[0];
  const job = find('Job', 'deltaone-migrate');
  const configMap = find('ConfigMap', 'deltaone-config');
  const secret = find('Secret', 'deltaone-secrets');

  it('should pass the Kubernetes schemas when every manifest is validated offline', () => {
    const { status, results } = validate(K8S);
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(status).toBe(0);
    expect(new Set(results.map((r) => r.kind))).toEqual(
      new Set([
        'Deployment',
        'Service',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'ConfigMap',
        'Secret',
        'Job',
        'Kustomization',
      ]),
    );
  });

  it('should reject a manifest when a field has the wrong type', () => {
    const dir = makeTempDir('k8s-');
    try {
      const broken = readFileSync(join(K8S, 'api.yaml'), 'utf8').replace('minReplicas: 2', 'minReplicas: two');
      writeFileSync(join(dir.path, 'api.yaml'), broken);
      const { status, results } = validate(dir.path);
      expect(status).toBe(1);
      expect(results.find((r) => r.kind === 'HorizontalPodAutoscaler')?.error).toMatch(/minReplicas must be integer/);
    } finally {
      dir.remove();
    }
  });

  it('should probe /health/ready for readiness and /health/live for liveness on the container port when the pod runs', () => {
    const port = api.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(Number(configMap.data.PORT));
    expect(api.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(api.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(api.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
  });

  it('should set only variables the server knows when the pods read the ConfigMap and the Secret', () => {
    const known = new Set(environmentVariableNames());
    const set = [
      ...Object.keys(configMap.data),
      ...Object.keys(secret.stringData),
      ...[api, ...job.spec.template.spec.containers].flatMap((c) => (c.env ?? []).map((e: { name: string }) => e.name)),
    ];
    expect(set.filter((name) => !known.has(name))).toEqual([]);
    for (const container of [api, ...job.spec.template.spec.containers]) {
      expect(container.envFrom).toEqual([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: secret.metadata.name } },
      ]);
    }
  });

  it('should start with the ConfigMap once real secrets replace the placeholders, and refuse the placeholders', () => {
    expect(() => validateEnvironment({ ...configMap.data, ...REAL_SECRETS })).not.toThrow();
    expect(Object.keys(REAL_SECRETS).sort()).toEqual(Object.keys(secret.stringData).sort());
    expect(() => validateEnvironment({ ...configMap.data, ...secret.stringData })).toThrow(/MINTER_PRIVATE_KEY/);
  });

  it('should run no embedded PostgreSQL or chain and keep artifacts in a bucket when the pods are replicas', () => {
    const config = validateEnvironment({ ...configMap.data, ...REAL_SECRETS });
    expect(config.DATABASE_URL).toBeDefined();
    expect(config.ETH_RPC_URL).toBeDefined();
    expect(config.REDIS_URL).toBeDefined();
    expect(config.ARTIFACT_STORAGE).toBe('s3');
    expect(find('Service', 'postgres').spec).toMatchObject({ type: 'ExternalName' });
    expect(find('Service', 'redis').spec).toMatchObject({ type: 'ExternalName' });
  });

  it('should give every container requests and limits when pods are scheduled', () => {
    for (const container of [api, ...job.spec.template.spec.containers]) {
      for (const bound of ['requests', 'limits']) {
        expect(container.resources[bound]).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      }
    }
  });

  it('should select the api pods from the Service, the autoscaler and the disruption budget', () => {
    const labels = pod.metadata.labels;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
    expect(matches(find('Service', 'deltaone-api').spec.selector)).toBe(true);
    expect(matches(find('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);
    expect(find('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(find('Service', 'deltaone-api').spec.ports[0].targetPort).toBe('http');
  });

  it('should run the migrations with the api image and leave the Job out of the kustomization applied after it', () => {
    const migrate = job.spec.template.spec.containers[0];
    expect(migrate.image).toBe(api.image);
    expect(migrate.command.join(' ')).toMatch(/typeorm\/cli\.js -d dist\/src\/data-source\.js migration:run$/);
    expect(existsSync(join(ROOT, 'src/data-source.ts'))).toBe(true);
    const kustomization = find('Kustomization');
    for (const file of kustomization.resources) expect(existsSync(join(K8S, file))).toBe(true);
    expect(kustomization.resources).not.toContain('migrate-job.yaml');
  });
});
