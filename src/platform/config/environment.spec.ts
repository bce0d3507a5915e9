import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, environmentVariableNames, validateEnvironment } from './environment';
import { webhookTargets } from './webhooks.config';

describe('validateEnvironment', () => {
  it('should apply every default when the environment is empty', () => {
    const env = validateEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.RATE_LIMIT_ENABLED).toBe(true);
  });

  it('should convert numbers and booleans when they are given as strings', () => {
    const env = validateEnvironment({ PORT: '8080', LOG_HTTP_REQUESTS: 'false', DATABASE_POOL_SIZE: '3' });
    expect(env).toMatchObject({ PORT: 8080, LOG_HTTP_REQUESTS: false, DATABASE_POOL_SIZE: 3 });
  });

  it('should name the variable and what it expects when PORT is not a number', () => {
    expect(() => validateEnvironment({ PORT: 'abc' })).toThrow(ConfigValidationError);
    try {
      validateEnvironment({ PORT: 'abc' });
    } catch (err) {
      expect((err as ConfigValidationError).problems).toHaveLength(1);
    }
    expect(() => validateEnvironment({ PORT: 'abc' })).toThrow(
      /PORT must be an integer port number between 0 and 65535 \(got "abc"\)/,
    );
  });

  it('should list every bad variable when several are wrong', () => {
    try {
      validateEnvironment({ PORT: '70000', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigValidationError');
    } catch (err) {
      const problems = (err as ConfigValidationError).problems.join('\n');
      expect(problems).toMatch(/^PORT /m);
      expect(problems).toMatch(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/m);
      expect(problems).toMatch(/^LOG_LEVEL must be one of debug, info, warn, error/m);
    }
  });

  it('should not print the admin key when it is too short', () => {
    expect(() => validateEnvironment({ ADMIN_API_KEY: 'short-secret' })).toThrow(/ADMIN_API_KEY .*\(got <hidden>\)/);
  });

  it('should treat an empty DATABASE_URL as unset when it is blank in .env', () => {
    expect(validateEnvironment({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('should document every variable in .env.example when a variable is added', () => {
    const example = readFileSync(join(__dirname, '../../../.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const declared = environmentVariableNames();
    expect(declared).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'REDIS_URL', 'ADMIN_API_KEY']));
    expect(declared.filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !declared.includes(k))).toEqual([]);
  });

  it('should show every variable of .env.example in README when the table is regenerated', () => {
    const script = join(__dirname, '../../../scripts/config-table.mjs');
    expect(execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' })).toMatch(
      /up to date \(\d+ variables\)/,
    );
  });

  it('should allow http and private webhook targets by default only when NODE_ENV is development', () => {
    const targets = (env: Record<string, string>) => webhookTargets(validateEnvironment(env));
    expect(targets({})).toEqual({ allowHttp: true, allowPrivate: true });
    expect(targets({ NODE_ENV: 'production' })).toEqual({ allowHttp: false, allowPrivate: false });
    expect(targets({ NODE_ENV: 'test', WEBHOOK_ALLOW_HTTP: '' })).toEqual({ allowHttp: false, allowPrivate: false });
    expect(targets({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE: 'true' })).toEqual({
      allowHttp: false,
      allowPrivate: true,
    });
    expect(targets({ WEBHOOK_ALLOW_HTTP: 'false' })).toEqual({ allowHttp: false, allowPrivate: true });
  });
});
