import { DynamicModule, Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClsPluginTransactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsModule } from 'nestjs-cls';
import type { EntityManager } from 'typeorm';

/**
 * The ambient transaction. `txHost.tx` is the EntityManager of the transaction this call runs in (or the plain
 * DataSource manager outside one); `txHost.withTransaction(fn)` and `@Transactional()` open one, or join the one
 * already open, so a service called inside another module's transaction writes in it without being handed a manager.
 */
export abstract class TxHost extends TransactionHost<TransactionalAdapterTypeOrm> {}
// A class rather than a type alias: constructor parameters typed `TxHost` are then resolved by Nest.
export { Propagation, Transactional, TransactionHost } from '@nestjs-cls/transactional';

@Global()
@Module({
  providers: [{ provide: TxHost, useExisting: TransactionHost }],
  exports: [TxHost],
})
class TxHostModule {}

const beforeCommitHooks = new WeakMap<EntityManager, Array<() => Promise<void>>>();

/**
 * Runs `hook` in the transaction of `manager` once its work is done, right before it commits (hooks in the order
 * registered). The audit log appends there, so its chain lock comes last however many modules join the transaction.
 */
export function beforeCommit(manager: EntityManager, hook: () => Promise<void>): void {
  const hooks = beforeCommitHooks.get(manager);
  if (hooks) hooks.push(hook);
  else beforeCommitHooks.set(manager, [hook]);
}

type Work = (...args: unknown[]) => Promise<unknown>;

/** Wraps `fn` so that the hooks registered on the transaction's manager run after it, before the commit. */
function withHooks(fn: Work, setClient: (client?: EntityManager) => void) {
  let manager: EntityManager | undefined;
  const capture = (client?: EntityManager) => {
    manager ??= client;
    setClient(client);
  };
  const work = async () => {
    const result = await fn();
    const hooks = manager ? beforeCommitHooks.get(manager) : undefined;
    // Hooks may register more hooks (for the same transaction): run until none is left.
    while (hooks?.length) await hooks.shift()!();
    return result;
  };
  return { work, capture };
}

/**
 * The TypeORM adapter, plus the before-commit hooks of each transaction it opens. A nested transaction (a
 * savepoint, `Propagation.Nested`) runs the hooks registered on it when it ends, so none is lost.
 */
class TypeOrmAdapter extends TransactionalAdapterTypeOrm {
  constructor() {
    super({ dataSourceToken: getDataSourceToken() });
    const base = this.optionsFactory;
    this.optionsFactory = (dataSource) => {
      const options = base(dataSource);
      return {
        ...options,
        wrapWithTransaction: (txOptions, fn, setClient) => {
          const { work, capture } = withHooks(fn, setClient);
          return options.wrapWithTransaction(txOptions, work, capture);
        },
        wrapWithNestedTransaction: (txOptions, fn, setClient, client) => {
          const { work, capture } = withHooks(fn, setClient);
          return options.wrapWithNestedTransaction(txOptions, work, capture, client);
        },
      };
    };
  }
}

/** nestjs-cls with the transactional plugin on the app's DataSource; global, so every module can inject TxHost. */
export function transactionsModule(): DynamicModule {
  return {
    module: TxHostModule,
    imports: [
      ClsModule.forRoot({
        global: true,
        plugins: [
          new ClsPluginTransactional({
            adapter: new TypeOrmAdapter(),
          }),
        ],
      }),
    ],
  };
}

/**
 * The manager of the open transaction, for writes that must commit with the change they belong to (events, audit
 * records, jobs). Throws `message` when no transaction is open, so such a write never commits on its own.
 */
export function requireTransaction(txHost: TxHost, message: string): EntityManager {
  const manager = txHost.isTransactionActive() ? txHost.tx : undefined;
  if (!manager?.queryRunner?.isTransactionActive) throw new Error(message);
  return manager;
}
