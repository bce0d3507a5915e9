/**
 * Every scope a key can hold. `admin` satisfies every scope and sees every owner's objects.
 * `keys:manage` lets a key manage the keys of its own owner (never more scopes than it holds itself).
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
] as const;

export type Scope = (typeof SCOPES)[number];

export interface Principal {
  keyId: string;
  owner: string;
  scopes: Scope[];
  isAdmin: boolean;
}

export function hasScopes(principal: Principal, required: readonly Scope[]): boolean {
  return principal.isAdmin || required.every((s) => principal.scopes.includes(s));
}
