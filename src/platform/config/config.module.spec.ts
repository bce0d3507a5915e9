import { Inject, Injectable } from '@nestjs/common';
import { ConfigService, ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { CONFIG_AREAS } from './app-config';
import { variableNames } from './config.schema';
import { ConfigModule, AppConfig } from './config.module';
import { environmentVariableNames, validateEnvironment } from './environment';
import { httpConfig } from './http.config';
import { webhooksConfig } from './webhooks.config';

@Injectable()
class NeedsHttp {
  constructor(@Inject(httpConfig.KEY) readonly http: ConfigType<typeof httpConfig>) {}
}

async function boot(env: Record<string, string>) {
  const module = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(validateEnvironment(env))],
    providers: [NeedsHttp],
  }).compile();
  return module;
}

describe('ConfigModule', () => {
  it('should inject an area namespace with the values validated for this app when asked by its KEY', async () => {
    const a = await boot({ PORT: '8080', TRUST_PROXY: 'true' });
    const b = await boot({ PORT: '9090' });
    expect(a.get(NeedsHttp).http).toMatchObject({ PORT: 8080, TRUST_PROXY: true, HOST: '127.0.0.1' });
    expect(b.get(NeedsHttp).http.PORT).toBe(9090);
    expect(a.get(ConfigService).get<number>('http.PORT')).toBe(8080);
  });

  it('should hold only its own variables in a namespace and every variable in AppConfig when both are injected', async () => {
    const m = await boot({ WEBHOOK_TIMEOUT_MS: '2000' });
    const webhooks = m.get<ConfigType<typeof webhooksConfig>>(webhooksConfig.KEY);
    expect(Object.keys(webhooks).every((k) => k.startsWith('WEBHOOK_'))).toBe(true);
    expect(webhooks.WEBHOOK_TIMEOUT_MS).toBe(2000);
    expect(Object.isFrozen(webhooks)).toBe(true);
    expect(Object.keys(m.get(AppConfig)).sort()).toEqual(environmentVariableNames().sort());
  });

  it('should declare each variable in exactly one area when a variable is added', () => {
    const names = CONFIG_AREAS.flatMap((area) => variableNames(area.schema));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('should leave process.env untouched when the module starts', async () => {
    const before = { ...process.env };
    await boot({ ADMIN_API_KEY: 'x'.repeat(32), PORT: '8081' });
    expect(process.env).toEqual(before);
  });

  it('should hide the value of a secret variable when it is invalid in any area', () => {
    expect(() =>
      validateEnvironment({ WEBHOOK_SECRET_KEY: 'not-a-key', CONTRIBUTION_PSEUDONYM_SECRET: 'short' }),
    ).toThrow(/WEBHOOK_SECRET_KEY .*\(got <hidden>\)[\s\S]*CONTRIBUTION_PSEUDONYM_SECRET .*\(got <hidden>\)/);
  });

  it('should say which module provides a namespace when its bare factory is called', () => {
    expect(() => httpConfig()).toThrow(/ConfigModule.forRoot/);
  });
});
