import { DataSource } from 'typeorm';
import { ENTITIES } from 'src/entities';
import { dataSourceOptions } from 'src/platform/database';
import { createTestDatabase } from '../support/test-database';

describe('migrations', () => {
  let ds: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    ds = await new DataSource(dataSourceOptions(db.url, ENTITIES)).initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  it('should leave nothing for the entities to change when every migration has run', async () => {
    await ds.runMigrations({ transaction: 'each' });
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('should revert every migration and apply them again when rolled all the way back', async () => {
    for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables: { table_name: string }[] = await ds.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'",
    );
    expect(tables).toEqual([]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(ds.migrations.length);
  });
});
