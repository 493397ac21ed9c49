/**
 * The storage port of live reload across processes: a counter every process on the store can
 * read. A process that reloaded forms and tenants bumps it; every other process (web servers,
 * `npm run worker`) sees the newer generation at its next look and reloads too (src/live/).
 * Part of the store (see ports.ts, which re-exports it); checked by test/contract.
 */

/** The newest configuration generation: how many successful reloads the installation has had. */
export interface ConfigurationGeneration {
  /** 1 after the first reload anywhere, then one more for each. */
  readonly generation: number;
  /** When the reload that set it was done (the reloading process's clock). */
  readonly at: Date;
}

export interface ConfigurationGenerationStore {
  /** The newest generation, or undefined when no process has reloaded yet. */
  current(): Promise<ConfigurationGeneration | undefined>;
  /** Counts one reload (atomically, even with other processes bumping at once); returns the new generation. */
  bump(at: Date): Promise<number>;
}
