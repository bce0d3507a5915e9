export { DomainError, errorFamily, ErrorKind, FieldError } from './domain-error';
