#!/usr/bin/env sh
# Offline checks of the deployment files that need outside tools: the compose file (docker-compose, v1 syntax)
# and, where promtool is installed, the Prometheus config and rules. The jest suites under test/deploy and
# test/e2e/deploy-metrics.e2e-spec.ts check the rest (npm run deploy:check runs both).
set -eu
cd "$(dirname "$0")/.."
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml: ok"
node scripts/k8s-validate.mjs deploy/k8s >/dev/null
echo "deploy/k8s: ok (kubernetes-models schemas)"
if command -v promtool >/dev/null 2>&1; then
  promtool check config deploy/prometheus/prometheus.yml
  promtool check rules deploy/prometheus/alerts.yml
else
  echo "promtool is not installed: the Prometheus files are checked by test/deploy/monitoring-config.spec.ts only"
fi
