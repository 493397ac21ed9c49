/**
 * A process of its own writing to one SQLite store (test/integration/sqlite-two-processes.test.ts):
 * `count` submissions with their jobs of about 20 kB each, 10 at a time through the group commit,
 * and claims and outcomes of the jobs as a worker would. Prints one line of JSON at the end.
 */
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { job, submission } from '../contract/store-contract-fixtures';

async function main(): Promise<void> {
  const [dataDir, countText, owner] = process.argv.slice(2);
  const store = openSqliteStore(dataDir!);
  const count = Number(countText);
  let created = 0;
  let delivered = 0;
  try {
    for (let i = 0; i < count; i += 10) {
      const subs = Array.from({ length: Math.min(10, count - i) }, () => submission({ dataJson: JSON.stringify({ text: 'x'.repeat(20_000) }) }));
      await Promise.all(subs.map((s) => store.submissions.create(s, [job(s.id, { body: 'y'.repeat(4_000) })])));
      created += subs.length;
      const claimed = await store.deliveries.claimDue({ now: new Date(Date.now() + 60_000), limit: 10, leaseMs: 60_000, owner: owner! });
      const outcomes = await Promise.all(claimed.map((j) => store.deliveries.markDelivered(j.id, new Date())));
      delivered += outcomes.filter(Boolean).length;
    }
  } finally {
    await store.close();
  }
  process.stdout.write(`${JSON.stringify({ created, delivered })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exit(1);
});
