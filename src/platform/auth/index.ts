export { ApiKeyEntity } from './api-key.entity';
export { presentedKey } from './api-key-token';
export { ApiKeysService } from './api-keys.service';
export { AuthModule } from './auth.module';
export { CurrentPrincipal, Public, PUBLIC_KEY, Scopes, SCOPES_KEY } from './decorators';
export { hasScopes, Principal, Scope, SCOPES } from './scopes';
