export { DatabaseModule } from './database.module';
export { dataSourceOptions, EntityList } from './data-source-options';
export { EmbeddedPostgres, EmbeddedPostgresError } from './embedded-postgres';
export { beforeCommit, Propagation, requireTransaction, Transactional, TransactionHost, TxHost } from './transactions';
