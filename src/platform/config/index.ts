export { ConfigModule, AppConfig } from './config.module';
export { ConfigValidationError, EnvironmentVariables, loadEnvironment, validateEnvironment } from './environment';
