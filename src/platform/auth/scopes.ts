/**
 * Every scope a key can hold. `admin` satisfies every scope and sees every owner's objects.
 * `keys:manage` lets a key manage the keys of its own owner (never more scopes than it holds itself).
 * `audit:read` lets a key read the audit records of its own owner (what it did, and what was done to its objects).
 */
export const SCOPES = [
  'admin',
  'keys:manage',
  'models:read',
  'models:write',
  'predict',
  'contributions:read',
  'contributions:write',
  'experiments:read',
  'experiments:write',
  'training:write',
  'rewards:read',
  'webhooks:admin',
  'privacy:scan',
  'audit:read',
] as const;

export type Scope = (typeof SCOPES)[number];

export interface Principal {
  keyId: string;
  /** The key's display prefix (for the audit log); absent for principals made in code. */
  prefix?: string;
  owner: string;
  scopes: Scope[];
  isAdmin: boolean;
}

export function hasScopes(principal: Principal, required: readonly Scope[]): boolean {
  return principal.isAdmin || required.every((s) => principal.scopes.includes(s));
}
