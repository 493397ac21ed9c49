import path from 'node:path';
import { loadFormRegistry } from '../../src/forms/form-registry';
import type { CompiledForm } from '../../src/forms/compiled-form';
import { buildReceiptModel, type ReceiptModel } from '../../src/receipts/receipt-model';
import { createMunicipalitySearch } from '../../src/routing/municipality-search';
import type { Tenant } from '../../src/routing/tenant';
import type { SubmissionRecord } from '../../src/storage/ports';
import { readJson, REPO, SAMPLE_FORMS, SAMPLE_TENANT } from './test-setup';
import type { Language } from '../../src/i18n/language';

/** Names from many scripts that every receipt must print as they are. */
export const NAMES = ['Łukasz Żółć', 'Nguyễn Thị Minh', 'Ørsted', 'Çağrı Şahin', 'Ελένη', 'Дмитрий'] as const;

const tenant = readJson<Tenant>(SAMPLE_TENANT);
const municipalities = createMunicipalitySearch([tenant]);
const strings = (language: Language) => readJson<Record<string, string>>(path.join(REPO, 'templates', 'locales', `${language}.json`));

let models: Map<string, CompiledForm> | undefined;

/** The form models of the sample forms, built once per test file. */
export async function sampleModel(formId: string): Promise<CompiledForm> {
  if (!models) {
    const forms = await loadFormRegistry(SAMPLE_FORMS);
    models = new Map(forms.list().map((f) => [f.definition.id, f]));
  }
  const model = models.get(formId);
  if (!model) throw new Error(`no sample form ${formId}`);
  return model;
}

/** A receipt model as the service builds it, from answers and XML given here. */
export async function receiptModelOf(formId: string, data: unknown, xml: string, overrides: Partial<SubmissionRecord> = {}): Promise<ReceiptModel> {
  const submission: SubmissionRecord = {
    id: 'K7M3-Q9XD-P', tokenHash: '0'.repeat(64), formId, formVersion: '1.0.0', tenantId: 'thueringen', authorityId: 'stadt-weimar',
    regionArs: '160550000000', language: 'de', dataJson: JSON.stringify(data), payloadXml: xml, createdAt: new Date('2026-11-28T17:24:00Z'),
    status: 'accepted', events: [], ...overrides,
  };
  return buildReceiptModel({
    submission, xml, form: await sampleModel(formId), tenant,
    authority: { name: 'Stadtverwaltung Weimar', email: 'buergerbehoerde@weimar.example' }, strings, municipalities,
  });
}
