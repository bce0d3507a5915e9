export { canonicalJson } from './canonical-json';
export { RawJson } from './raw-json';
export { JsonText } from './json-text';
