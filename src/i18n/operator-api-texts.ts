import type { LocalizedText } from './language';

/*
 * The `detail` of the admin API's problem documents that concern operators per tenant
 * (src/http/admin-router.ts). Placeholders in braces are filled with formatLocalized().
 */

/**
 * INVALID_PARAMETER of GET /api/admin/audit: ?tenant= names no tenant the caller may see;
 * {known}: the ids it may ask for (a tenant operator: its own only, so nothing of another tenant shows).
 */
export const UNKNOWN_AUDIT_TENANT_DETAIL: LocalizedText = {
  de: 'tenant ist unbekannt; bekannt sind: {known}.',
  en: 'tenant is unknown; known are: {known}.',
};
