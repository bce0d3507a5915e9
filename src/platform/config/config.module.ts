import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule, registerAs } from '@nestjs/config';
import { AppConfig, CONFIG_AREAS } from './app-config';
import { loadEnvironment } from './environment';

export { AppConfig } from './app-config';

/**
 * `@nestjs/config` with one `registerAs` namespace per area (`@Inject(httpConfig.KEY)`), plus the flat
 * `AppConfig`. The values are validated before the container exists (main.ts needs PORT, LOG_LEVEL and
 * DATABASE_URL to build it), so @nestjs/config reads neither `.env` nor `process.env` here: it serves what
 * was validated. Its own `validate` hook is not used because it copies every validated value into
 * `process.env` (secrets included, inherited by child processes) and would validate a second time.
 */
@Module({})
export class ConfigModule {
  /** Pass `config` to run with explicit values (tests, scripts); otherwise the environment is read and validated once. */
  static forRoot(config: AppConfig = loadEnvironment()): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      imports: [
        NestConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          // Same token as the exported namespace, so `@Inject(httpConfig.KEY)` gets this app's values.
          load: CONFIG_AREAS.map((area) => registerAs(area.token, () => area.pick(config))),
        }),
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
