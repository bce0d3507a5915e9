// Validates Kubernetes manifests offline against the schemas of kubernetes-models (no cluster is reached).
//   node scripts/k8s-validate.mjs [dir]      (default deploy/k8s)
// Prints one JSON line per document: {file, kind, name, error?}; exits 1 when a document is invalid or of a
// kind it does not know. kubernetes-models is ESM only, hence a script that jest runs as a child process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';

const MODELS = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'batch/v1': batch,
  'policy/v1': policy,
};
// Not a Kubernetes object: kustomize's own file, checked by the jest suite (its resources exist).
const SKIPPED = new Set(['kustomize.config.k8s.io/v1beta1/Kustomization']);

const dir = process.argv[2] ?? 'deploy/k8s';
let failed = false;
for (const file of readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()) {
  for (const doc of loadAll(readFileSync(join(dir, file), 'utf8'))) {
    if (!doc) continue;
    const result = { file, kind: doc.kind, name: doc.metadata?.name };
    if (!SKIPPED.has(`${doc.apiVersion}/${doc.kind}`)) {
      const Model = MODELS[doc.apiVersion]?.[doc.kind];
      try {
        if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
        new Model(doc).validate();
      } catch (err) {
        result.error = err.message;
        failed = true;
      }
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
process.exit(failed ? 1 : 0);
