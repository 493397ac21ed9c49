import type { DeliveryQueue } from '../ports';
import type { PgClient } from './pg-client';
import { notYet } from './pg-not-yet';

export function pgDeliveries(_client: PgClient): DeliveryQueue {
  return notYet<DeliveryQueue>('pgDeliveries');
}
