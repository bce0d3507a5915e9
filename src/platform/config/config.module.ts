import { DynamicModule, Global, Module } from '@nestjs/common';
import { EnvironmentVariables, loadEnvironment } from './environment';

/** The validated configuration, injectable by its class. */
export { EnvironmentVariables as AppConfig } from './environment';

@Global()
@Module({})
export class ConfigModule {
  /** Pass `config` to run with explicit values (tests); otherwise the environment is read and validated once. */
  static forRoot(config?: EnvironmentVariables): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: EnvironmentVariables, useFactory: () => config ?? loadEnvironment() }],
      exports: [EnvironmentVariables],
    };
  }
}
