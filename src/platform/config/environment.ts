import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig, CONFIG_AREAS } from './app-config';
import { ConfigSchema, isSecret, variableNames } from './config.schema';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(schema: object, error: ValidationError): string[] {
  const shown = isSecret(schema, error.property) ? '<hidden>' : JSON.stringify(error.value);
  const messages = new Set(
    Object.values(error.constraints ?? {}).map((msg) =>
      msg.startsWith(error.property) ? msg.slice(error.property.length).trim() : msg,
    ),
  );
  return [...messages].map((text) => `${error.property} ${text} (got ${shown})`);
}

function validateArea<T extends object>(
  schema: ConfigSchema<T>,
  raw: Record<string, string | undefined>,
): { values: T; problems: string[] } {
  const picked: Record<string, unknown> = {};
  for (const key of variableNames(schema)) if (raw[key] !== undefined) picked[key] = raw[key];
  const values = plainToInstance(schema, picked, { exposeDefaultValues: true });
  const errors = validateSync(values, { whitelist: true, forbidUnknownValues: true });
  return { values, problems: errors.flatMap((e) => describe(schema, e)) };
}

/** The names of every variable the server reads (every validated property of every area). */
export function environmentVariableNames(): string[] {
  return CONFIG_AREAS.flatMap((area) => variableNames(area.schema));
}

/**
 * Validates raw variables (normally `process.env`) area by area and returns typed values with defaults applied.
 * Every bad variable of every area is reported at once.
 */
export function validateEnvironment(raw: Record<string, string | undefined>): AppConfig {
  const config = new AppConfig();
  const problems: string[] = [];
  for (const area of CONFIG_AREAS) {
    const result = validateArea(area.schema as ConfigSchema<object>, raw);
    Object.assign(config, result.values);
    problems.push(...result.problems);
  }
  if (problems.length === 0) {
    for (const area of CONFIG_AREAS) problems.push(...(area.check?.(config) ?? []));
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

let cached: AppConfig | undefined;

/**
 * The one place that reads `process.env`. A `.env` file in the working directory is loaded first;
 * variables already set in the environment win over it.
 */
export function loadEnvironment(): AppConfig {
  if (cached) return cached;
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  cached = validateEnvironment(process.env);
  return cached;
}

/** For tests that change the environment between app instances. */
export function resetEnvironmentCache(): void {
  cached = undefined;
}
