export { HashingStream, writeHashed } from './hashing-stream';
