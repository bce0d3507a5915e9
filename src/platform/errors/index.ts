export { DomainError, ErrorKind, FieldError } from './domain-error';
