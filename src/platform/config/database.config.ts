import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { defineConfig, emptyToUndefined, toInt } from './config.schema';

/** PostgreSQL: an external server (DATABASE_URL) or the embedded one. */
export class DatabaseEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 200' })
  @Min(1, { message: 'must be an integer between 1 and 200' })
  @Max(200, { message: 'must be an integer between 1 and 200' })
  DATABASE_POOL_SIZE = 10;

  @IsString()
  @MinLength(1)
  EMBEDDED_PG_DIR = '.data/pg';

  /** 0: a free port chosen on the first start and kept with the data directory (EMBEDDED_PG_DIR/port). */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number between 0 and 65535 (0: any free port)' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535 (0: any free port)' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535 (0: any free port)' })
  EMBEDDED_PG_PORT = 0;
}

export const databaseConfig = defineConfig('database', DatabaseEnvironment);
