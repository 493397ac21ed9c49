import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startWithSamples, validForm, validTenant } from '../support/start-with-samples';

/** The start-up problem lines, or `loaded <id>` for each form when it started. */
async function problemsOf(change: Parameters<typeof startWithSamples>[0]): Promise<string[]> {
  const { problems, loaded } = await startWithSamples(change);
  return problems.length > 0 ? problems : loaded.map((id) => `loaded ${id}`);
}

/** Issue 9, finding 5 and point 4: absurd sizes, unreadable folders and links at start-up. */
describe('start-up refuses absurd sizes and reports what it cannot read', () => {
  test('a 50 MB tenant name is refused with file and pointer (it made every page 157 MB)', async () => {
    const problems = await problemsOf(({ tenants }) => {
      const t = validTenant();
      t.name.de = 'T'.repeat(50 * 1024 * 1024);
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    });
    expect(problems).toEqual([expect.stringMatching(/^tenants\/thueringen\.json: \/: is [0-9]+ bytes; at most 20971520 are allowed$/)]);
  });

  test('a name of 1,000 characters and a text of 6,000 are refused at their pointers', async () => {
    const tenantProblems = await problemsOf(({ tenants }) => {
      const t = validTenant();
      t.authorities[0].name = 'B'.repeat(1000);
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    });
    expect(tenantProblems).toEqual(['tenants/thueringen.json: /authorities/0/name: is 1000 characters long; at most 300 are allowed for a name, title or label']);
    const formProblems = await problemsOf(({ forms }) => {
      const f = validForm();
      f.description = { de: 'x'.repeat(6000) };
      f.title = { de: 'Parken', en: 'P'.repeat(400) };
      writeFileSync(path.join(forms, 'anwohnerparkausweis', 'form.json'), JSON.stringify(f));
    });
    expect(formProblems).toEqual([
      'forms/anwohnerparkausweis/form.json: /title/en: is 400 characters long; at most 300 are allowed for a name, title or label',
      'forms/anwohnerparkausweis/form.json: /description/de: is 6000 characters long; at most 5000 are allowed for a text',
    ]);
  });

  test('a list of 60,000 entries is refused', async () => {
    const problems = await problemsOf(({ tenants }) => {
      const t = validTenant();
      t.regions = Array.from({ length: 60_000 }, () => '16');
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    });
    expect(problems).toEqual(['tenants/thueringen.json: /regions: has 60000 entries; at most 50000 are allowed']);
  });

  test('an option no normalised answer can equal (spaces around it, not NFC) is refused at load', async () => {
    const problems = await problemsOf(({ forms }) => {
      const f = validForm();
      f.schema.properties.extra = { enum: ['gut', ' Leerzeichen ', 'Rene\u0301e'] };
      writeFileSync(path.join(forms, 'anwohnerparkausweis', 'form.json'), JSON.stringify(f));
    });
    expect(problems).toEqual([
      'forms/anwohnerparkausweis/form.json: /schema/properties/extra/enum/1: " Leerzeichen " has spaces at its start or end; answers are trimmed, so it can never be chosen',
      'forms/anwohnerparkausweis/form.json: /schema/properties/extra/enum/2: "Rene\u0301e" is not in Unicode NFC; answers are normalised to NFC, so it can never be chosen',
    ]);
  });

  test('a form folder that is a symbolic link is loaded, not skipped', async () => {
    const problems = await problemsOf(({ root, forms }) => {
      cpSync(path.join(forms, 'gewerbeanmeldung'), path.join(root, 'elsewhere'), { recursive: true });
      rmSync(path.join(forms, 'gewerbeanmeldung'), { recursive: true });
      symlinkSync(path.join(root, 'elsewhere'), path.join(forms, 'gewerbeanmeldung'));
    });
    expect(problems).toContain('loaded gewerbeanmeldung');
  });

  test('a symlink loop and a dangling link are reported by name', async () => {
    const problems = await problemsOf(({ forms }) => {
      symlinkSync(path.join(forms, 'schleife'), path.join(forms, 'schleife'));
      symlinkSync(path.join(forms, 'gibt-es-nicht'), path.join(forms, 'verwaist'));
    });
    expect(problems).toEqual([
      'forms/schleife: /: is a symbolic link that cannot be followed: symlink loop (ELOOP): a symbolic link points back at itself',
      'forms/verwaist: /: is a symbolic link that points nowhere (ENOENT)',
    ]);
  });

  test('a form.json that cannot be read as a file is reported, not skipped', async () => {
    const problems = await problemsOf(({ forms }) => {
      mkdirSync(path.join(forms, 'ordner', 'form.json'), { recursive: true });
    });
    expect(problems).toEqual(['forms/ordner/form.json: /: is a folder, not a file (EISDIR)']);
  });

  test('a tenant file that is a symlink loop says so', async () => {
    const problems = await problemsOf(({ tenants }) => {
      symlinkSync(path.join(tenants, 'loop.json'), path.join(tenants, 'loop.json'));
    });
    expect(problems).toEqual(['tenants/loop.json: /: symlink loop (ELOOP): a symbolic link points back at itself']);
  });
});
