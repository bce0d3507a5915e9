import { ConfigFactoryKeyHost, registerAs } from '@nestjs/config';
import { getMetadataStorage } from 'class-validator';

/** Helpers shared by the `<area>.config.ts` files: turning strings from the environment into typed values. */

export const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

// Strings that are not plain base-10 integers stay strings so that @IsInt reports them instead of a NaN.
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

// Decimal numbers (for fractions and durations that tests compress); anything else stays a string for @IsNumber.
export const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;

export const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const SECRETS = new WeakMap<object, Set<string>>();

/** A variable whose value a validation message must not print. */
export const Secret = (): PropertyDecorator => (target, key) => {
  const names = SECRETS.get(target.constructor) ?? new Set<string>();
  names.add(String(key));
  SECRETS.set(target.constructor, names);
};

export function isSecret(schema: object, name: string): boolean {
  return SECRETS.get(schema)?.has(name) ?? false;
}

/** The variables a schema class declares: every property with a class-validator decorator, in declaration order. */
export function variableNames(schema: new () => object): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

export type ConfigSchema<T extends object> = new () => T;

/**
 * One area of the configuration: a `registerAs` namespace (inject it with `@Inject(xConfig.KEY)` and type it
 * `ConfigType<typeof xConfig>`) plus the class-validator class that declares its variables.
 */
export type ConfigArea<T extends object> = (() => T) &
  ConfigFactoryKeyHost<T> & {
    readonly token: string;
    readonly schema: ConfigSchema<T>;
    /** Rules across several variables of the area, run once every variable is valid on its own. */
    readonly check?: (values: T) => string[];
    /** This area's slice of the validated configuration. */
    readonly pick: (config: T) => T;
  };

export function defineConfig<T extends object>(
  token: string,
  schema: ConfigSchema<T>,
  check?: (values: T) => string[],
): ConfigArea<T> {
  // ConfigModule.forRoot registers this namespace with the values validated at boot; the bare factory is
  // only there for registerAs to hang the injection token on, so reaching it means that module is missing.
  const factory = registerAs(token, (): T => {
    throw new Error(`the "${token}" configuration is provided by ConfigModule.forRoot from src/platform/config`);
  });
  const pick = (config: T): T => {
    const values = new schema() as Record<string, unknown>;
    for (const name of variableNames(schema)) values[name] = (config as Record<string, unknown>)[name];
    return Object.freeze(values) as T;
  };
  return Object.assign(factory, { token, schema, check, pick });
}
