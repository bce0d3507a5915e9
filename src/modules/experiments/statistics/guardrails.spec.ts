import { evaluateGuardrails } from './guardrails';

// The error-rate bound is the lower end of the 90% two-sided Wilson interval (one-sided 95%); references from
// statsmodels proportion_confint(x, n, alpha=0.1, method='wilson'): 5/20 → 0.1273771685203577, 1/3 → 0.07826572633372836.
describe('evaluateGuardrails', () => {
  const specs = [
    { metric: 'error_rate' as const, max: 0.1 },
    { metric: 'latency_p95_ms' as const, max: 250 },
  ];

  it('should breach error_rate when 5 errors in 20 requests put the lower bound (0.127) above 0.1', () => {
    const [errors] = evaluateGuardrails(specs, { requests: 20, errors: 5, latencyP95Ms: 100 });
    expect(errors.observed).toBe(0.25);
    expect(errors.breached).toBe(true);
  });

  it('should not breach error_rate when 1 error in 3 requests leaves the lower bound (0.078) below 0.1', () => {
    const [errors] = evaluateGuardrails(specs, { requests: 3, errors: 1, latencyP95Ms: null });
    expect(errors.breached).toBe(false);
  });

  it('should breach latency_p95_ms when the p95 is above the maximum after 20 requests', () => {
    const [, latency] = evaluateGuardrails(specs, { requests: 20, errors: 0, latencyP95Ms: 300 });
    expect(latency.breached).toBe(true);
  });

  it('should not judge latency_p95_ms when fewer than 20 requests were served', () => {
    const [, latency] = evaluateGuardrails(specs, { requests: 19, errors: 0, latencyP95Ms: 900 });
    expect(latency.breached).toBe(false);
    expect(latency.reason).toMatch(/not judged/);
  });
});
