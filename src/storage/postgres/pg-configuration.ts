import type { ConfigurationGenerationStore } from '../ports';
import type { PgClient } from './pg-client';

/**
 * The configuration generation in PostgreSQL: one row (id 1), created by the first bump. A bump
 * is one `INSERT … ON CONFLICT … DO UPDATE … RETURNING` statement: the row lock it takes orders
 * bumps from any number of processes, so two at once get two different generations, never the
 * same one twice.
 */
export function pgConfiguration(client: PgClient): ConfigurationGenerationStore {
  return {
    async current() {
      const [row] = await client.query<{ generation: number; at: Date }>('SELECT generation, at FROM configuration_generation WHERE id = 1');
      return row ? { generation: Number(row.generation), at: row.at } : undefined;
    },
    async bump(at) {
      const [row] = await client.query<{ generation: number }>(
        `INSERT INTO configuration_generation (id, generation, at) VALUES (1, 1, $1)
         ON CONFLICT (id) DO UPDATE SET generation = configuration_generation.generation + 1, at = excluded.at
         RETURNING generation`, [at]);
      if (!row) throw new Error('configuration_generation: the bump returned no row');
      return Number(row.generation);
    },
  };
}
