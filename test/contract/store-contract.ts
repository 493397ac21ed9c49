import { attachmentsContract } from './store-contract-attachments';
import { configurationContract } from './store-contract-configuration';
import { deliveriesContract } from './store-contract-deliveries';
import { deliveryStatsContract } from './store-contract-delivery-stats';
import { draftsContract } from './store-contract-drafts';
import { inboxContract } from './store-contract-inbox';
import { operatorsContract } from './store-contract-operators';
import { receiptsContract } from './store-contract-receipts';
import { retentionContract } from './store-contract-retention';
import { submissionsContract } from './store-contract-submissions';
import type { StoreFactory } from './store-contract-fixtures';

export type { StoreFactory } from './store-contract-fixtures';

/**
 * One behavioural contract for every storage adapter. Each adapter's test file calls this with
 * a factory; `reopen` must return a store on the same underlying data (a restart). The parts,
 * one per port, each open a fresh store from the factory for every test.
 */
export function storeContract(name: string, factory: () => StoreFactory): void {
  describe(`storage contract: ${name}`, () => {
    submissionsContract(factory);
    deliveriesContract(factory);
    deliveryStatsContract(factory);
    inboxContract(factory);
    draftsContract(factory);
    operatorsContract(factory);
    configurationContract(factory);
    retentionContract(factory);
    receiptsContract(factory);
    attachmentsContract(factory);
  });
}
