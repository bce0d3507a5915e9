export { PII_TYPES, PiiScanner, PiiSpan, PiiType } from './pii-scanner';
export { PrivacyModule } from './privacy.module';
export { CellFinding, PrivacyService, redact, replaceSpans, scannableText } from './privacy.service';
