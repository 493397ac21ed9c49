import type Database from 'better-sqlite3';
import type { ConfigurationGenerationStore } from '../ports';
import { settler } from './settle';

interface GenerationRow {
  generation: number;
  at: number;
}

/**
 * The configuration generation in SQLite: one row (id 1), created by the first bump. A bump is
 * one `INSERT … ON CONFLICT … RETURNING` statement, so two processes bumping at once get two
 * different generations, never the same one twice.
 */
export function sqliteConfiguration(db: Database.Database): ConfigurationGenerationStore {
  const settle = settler(db);
  const select = db.prepare<[], GenerationRow>('SELECT generation, at FROM configuration_generation WHERE id = 1');
  const bump = db.prepare<[{ at: number }], { generation: number }>(`
    INSERT INTO configuration_generation (id, generation, at) VALUES (1, 1, @at)
    ON CONFLICT (id) DO UPDATE SET generation = generation + 1, at = excluded.at
    RETURNING generation`);
  return {
    current() {
      return settle(() => {
        const row = select.get();
        return row ? { generation: row.generation, at: new Date(row.at) } : undefined;
      });
    },
    bump(at) {
      return settle(() => bump.get({ at: at.getTime() })!.generation);
    },
  };
}
