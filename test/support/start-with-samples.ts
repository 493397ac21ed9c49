import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from '../../src/startup-error';
import { buildContainer, SAMPLE_FORMS, SAMPLE_TENANT } from './test-setup';
import { tempDir } from './temp-dir';

export const validForm = () => JSON.parse(readFileSync(path.join(SAMPLE_FORMS, 'anwohnerparkausweis', 'form.json'), 'utf8')) as Record<string, any>;
export const validTenant = () => JSON.parse(readFileSync(SAMPLE_TENANT, 'utf8')) as Record<string, any>;

/**
 * Lays out FORMS_DIR and TENANTS_DIR from the samples, lets the test change them and starts a
 * container: the start-up problems (paths relative to the temporary folder, so expectations stay
 * readable), or none and the ids of the forms that loaded.
 */
export async function startWithSamples(change: (dirs: { root: string; forms: string; tenants: string }) => void): Promise<{ problems: string[]; loaded: string[] }> {
  const dir = tempDir();
  const forms = path.join(dir.path, 'forms');
  const tenants = path.join(dir.path, 'tenants');
  cpSync(SAMPLE_FORMS, forms, { recursive: true });
  mkdirSync(tenants);
  cpSync(SAMPLE_TENANT, path.join(tenants, 'thueringen.json'));
  change({ root: dir.path, forms, tenants });
  try {
    const container = await buildContainer({ FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data') });
    const loaded = container.forms.list().map((f) => f.definition.id);
    await container.close(100);
    return { problems: [], loaded };
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    return { problems: err.problems.map((p) => p.split(dir.path + path.sep).join('')), loaded: [] };
  } finally {
    dir.remove();
  }
}
