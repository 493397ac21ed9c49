/**
 * `npm run bench`: every benchmark of efa-forms, one after the other. Performance goals live
 * here, never in timed tests.
 */
import { benchHostile } from './hostile.bench';
import { benchOperators } from './operators.bench';
import { benchPages } from './pages.bench';
import { benchReceipt } from './receipt.bench';

async function main(): Promise<void> {
  await benchPages();
  await benchReceipt();
  await benchHostile();
  await benchOperators();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
