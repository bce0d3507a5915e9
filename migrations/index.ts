import { Init1795505152999 } from './1795505152999-Init';
import { Events1795505376169 } from './1795505376169-Events';
import { Registry1795508541047 } from './1795508541047-Registry';

/** Every migration, in order. `npm run migration:generate --name=Name` writes a new file; add its class here. */
export const MIGRATIONS = [Init1795505152999, Events1795505376169, Registry1795508541047];
