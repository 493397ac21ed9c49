import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Tenant } from '../../src/routing/tenant';
import { SCALE_FORM, writeScaleInstallation } from './scale-installation';

const REPO = path.resolve(__dirname, '../..');

/** The form the throughput bench submits (its first example is for Weimar, a Thüringen authority). */
export const THROUGHPUT_FORM = SCALE_FORM;

export interface Installation {
  readonly formsDir: string;
  readonly tenantsDir: string;
  /** The HTTP authorities' secrets, by variable name. */
  readonly secrets: Record<string, string>;
}

/**
 * The operator files of the throughput bench's loads, written into `dir`: the sample forms and
 * the Thüringen sample tenant with every authority pushing over HTTP to `receiverUrl/<id>` (see
 * scale-installation.ts). With `applicantEmail` the dog-tax form keeps its `emailField`, as the
 * sample ships it, so each submission also queues the applicant's confirmation e-mail with its
 * PDF receipt; without, the form's copy has none and each submission queues exactly one HTTP push.
 */
export function writeThroughputInstallation(dir: string, receiverUrl: string, options: { readonly applicantEmail: boolean }): Installation {
  const installation = writeScaleInstallation(dir, receiverUrl);
  if (options.applicantEmail) {
    copyFileSync(path.join(REPO, 'forms', THROUGHPUT_FORM, 'form.json'), path.join(installation.formsDir, THROUGHPUT_FORM, 'form.json'));
  }
  return installation;
}

/**
 * The sample forms and tenants exactly as `npm start` serves them (the checkout's forms/ and
 * tenants/), with a secret for every HTTP authority, as an operator would set them.
 */
export function sampleInstallation(): Installation {
  const tenantsDir = path.join(REPO, 'tenants');
  const secrets: Record<string, string> = {};
  for (const file of readdirSync(tenantsDir).filter((f) => f.endsWith('.json'))) {
    const tenant = JSON.parse(readFileSync(path.join(tenantsDir, file), 'utf8')) as Tenant;
    for (const authority of tenant.authorities) {
      if (authority.delivery.type === 'http') secrets[authority.delivery.secretEnv] = `bench-secret-of-${authority.id}`;
    }
  }
  return { formsDir: path.join(REPO, 'forms'), tenantsDir, secrets };
}

const ADDRESS = /^antrag-(-?[0-9]+)@example\.org$/;

/**
 * The JSON API body of submission number `n` (n ≥ 0 for the loads, negative for the bench's
 * checks): the form's first valid example with the first dog's name numbered, so no two bodies
 * are alike, and the applicant's address `antrag-<n>@example.org`, so the SMTP sink tells from
 * the envelope alone whose confirmation arrived (submissionNumberOf), without parsing messages.
 */
export function throughputSubmissionBody(): (n: number) => string {
  const example = JSON.parse(readFileSync(path.join(REPO, 'forms', THROUGHPUT_FORM, 'examples', 'valid-1.json'), 'utf8')) as {
    halter: { email: string }; hunde: Array<{ name: string }>;
  };
  example.hunde[0]!.name = '\u0000';
  example.halter.email = '\u0001';
  const [before, middle, after] = JSON.stringify({ data: example }).split(/"\\u000[01]"/) as [string, string, string];
  return (n) => `${before}"antrag-${n}@example.org"${middle}"Bello ${n}"${after}`;
}

/** The submission number in an applicant's address made by throughputSubmissionBody; undefined for any other. */
export function submissionNumberOf(address: string): number | undefined {
  const match = ADDRESS.exec(address);
  return match ? Number(match[1]) : undefined;
}
