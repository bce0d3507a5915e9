export { changesOf, clampValue } from './audit-changes';
export { canonicalContent, chainHash, GENESIS_HASH } from './audit-chain';
export { AuditChange, AuditRecordEntity } from './audit-record.entity';
export { AuditModule } from './audit.module';
export { AuditEntry, AuditQuery, AuditService, AuditTarget, AuditVerification } from './audit.service';
