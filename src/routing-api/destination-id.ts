import { createHash } from 'node:crypto';

/**
 * The namespace of efa-forms destination ids (a random UUID, fixed once). Changing it would give
 * every authority a new destinationId, and portals that stored the old ones would lose them.
 */
export const DESTINATION_NAMESPACE = 'f8edb51d-ff83-4904-9ecf-e2d4bd91d72e';

/**
 * An authority's `destinationId` in the Routing API: a name-based UUID (RFC 9562 version 5,
 * SHA-1 over the namespace and `<tenant id>/<authority id>`). Derived rather than stored, so
 * it stays the same across restarts and installations as long as the two ids do, and tenant
 * files need no extra field.
 */
export function destinationIdOf(tenantId: string, authorityId: string): string {
  return uuidV5(DESTINATION_NAMESPACE, `${tenantId}/${authorityId}`);
}

/** RFC 9562 version 5: SHA-1 of the namespace's 16 bytes and the name's UTF-8, version and variant set. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant RFC 9562
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
