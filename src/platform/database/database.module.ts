import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../config';
import { dataSourceOptions, EntityList } from './data-source-options';
import { transactionsModule } from './transactions';

@Module({})
export class DatabaseModule {
  /**
   * `entities` is every entity of the app (src/entities.ts), so the app, the CLI and the drift check agree.
   * `url` is DATABASE_URL or the embedded server's URL; main.ts decides. Migrations run at boot.
   * Transactions are ambient (nestjs-cls, see transactions.ts): services inject TxHost, never take a manager.
   */
  static forRoot(url: string, entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [databaseConfig.KEY],
          useFactory: (config: ConfigType<typeof databaseConfig>) => ({
            ...dataSourceOptions(url, entities, config.DATABASE_POOL_SIZE),
            migrationsRun: true,
          }),
        }),
        transactionsModule(),
      ],
    };
  }
}
