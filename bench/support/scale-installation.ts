import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tenant } from '../../src/routing/tenant';

const REPO = path.resolve(__dirname, '../..');

/** The form the scale bench submits and the municipality its example is for (Weimar). */
export const SCALE_FORM = 'hundesteuer-anmeldung';

/**
 * The operator files of the scale bench, written into `dir`: the sample forms, the dog-tax form
 * without its `emailField` (so an accepted submission queues exactly one job, the HTTP push, and
 * no applicant e-mail with its PDF: this bench measures HTTP delivery, as issue 14's "HTTP
 * delivery alone" does), and the Thüringen sample tenant with every authority pushing to
 * `receiverUrl/<authority-id>`. Sachsen-Anhalt is left out: its e-mail authorities would need an
 * SMTP server in production. Returns the folders and the env holding the authorities' secrets.
 */
export function writeScaleInstallation(dir: string, receiverUrl: string): { formsDir: string; tenantsDir: string; secrets: Record<string, string> } {
  const formsDir = path.join(dir, 'forms');
  const tenantsDir = path.join(dir, 'tenants');
  cpSync(path.join(REPO, 'forms'), formsDir, { recursive: true });
  const formFile = path.join(formsDir, SCALE_FORM, 'form.json');
  const form = JSON.parse(readFileSync(formFile, 'utf8')) as { emailField?: string };
  delete form.emailField;
  writeFileSync(formFile, JSON.stringify(form, null, 2));

  mkdirSync(tenantsDir, { recursive: true });
  const tenant = JSON.parse(readFileSync(path.join(REPO, 'tenants', 'thueringen.json'), 'utf8')) as Tenant;
  const secrets: Record<string, string> = {};
  const authorities = tenant.authorities.map((authority) => {
    const secretEnv = `EFA_SECRET_${authority.id.toUpperCase().replace(/-/g, '_')}`;
    secrets[secretEnv] = `bench-secret-of-${authority.id}`;
    return { ...authority, delivery: { type: 'http' as const, url: `${receiverUrl}/${authority.id}`, secretEnv } };
  });
  writeFileSync(path.join(tenantsDir, `${tenant.id}.json`), JSON.stringify({ ...tenant, authorities }, null, 2));
  return { formsDir, tenantsDir, secrets };
}

/**
 * The JSON API body of submission number `n`: the form's first valid example with the first
 * dog's name numbered, so no two bodies are alike.
 */
export function scaleSubmissionBody(): (n: number) => string {
  const example = JSON.parse(readFileSync(path.join(REPO, 'forms', SCALE_FORM, 'examples', 'valid-1.json'), 'utf8')) as { hunde: Array<{ name: string }> };
  example.hunde[0]!.name = '\u0000';
  const [before, after] = JSON.stringify({ data: example }).split('"\\u0000"') as [string, string];
  return (n) => `${before}"Bello ${n}"${after}`;
}
