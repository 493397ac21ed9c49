import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from '../../src/startup-error';
import { killSpawnedProcesses, spawnEntryPoint, startServerProcess } from '../support/spawn-server';
import { SAMPLE_FORMS } from '../support/test-setup';
import { startWithSamples, validForm, validTenant } from '../support/start-with-samples';
import { tempDir } from '../support/temp-dir';

/** Starts with the samples changed by the test; the StartupError it must fail with. */
async function startWith(change: Parameters<typeof startWithSamples>[0]): Promise<StartupError> {
  const { problems } = await startWithSamples(change);
  if (problems.length === 0) throw new Error('start-up succeeded but should have failed');
  return new StartupError(problems);
}

const writeForm = (forms: string, id: string, form: unknown) => {
  mkdirSync(path.join(forms, id), { recursive: true });
  writeFileSync(path.join(forms, id, 'form.json'), typeof form === 'string' ? form : JSON.stringify(form));
};

describe('a broken form or tenant file stops start-up with file, pointer and reason', () => {
  test.each<[string, (d: { forms: string; tenants: string }) => void, string]>([
    ['form.json that is not JSON', ({ forms }) => writeForm(forms, 'kaputt', '{"id": "kaputt",'), 'forms/kaputt/form.json: /: not valid JSON'],
    ['a missing required property', ({ forms }) => {
      const f = validForm();
      delete f.serviceKey;
      writeForm(forms, 'anwohnerparkausweis', f);
    }, 'forms/anwohnerparkausweis/form.json: /serviceKey: is required'],
    ['a bad service key', ({ forms }) => writeForm(forms, 'anwohnerparkausweis', { ...validForm(), serviceKey: '12345' }), 'forms/anwohnerparkausweis/form.json: /serviceKey: must match pattern'],
    ['a version that is not semver', ({ forms }) => writeForm(forms, 'anwohnerparkausweis', { ...validForm(), version: '1.0' }), 'forms/anwohnerparkausweis/form.json: /version: must match pattern'],
    ['an invalid JSON Schema', ({ forms }) => {
      const f = validForm();
      f.schema.properties.zone.type = 'strin';
      writeForm(forms, 'anwohnerparkausweis', f);
    }, 'forms/anwohnerparkausweis/form.json: /schema/properties/zone/type: not a valid JSON Schema 2020-12'],
    ['an unresolvable $ref', ({ forms }) => {
      const f = validForm();
      f.schema.properties.zone = { $ref: '#/$defs/gibtsnicht' };
      writeForm(forms, 'anwohnerparkausweis', f);
    }, "forms/anwohnerparkausweis/form.json: /schema: can't resolve reference #/$defs/gibtsnicht"],
    ['a region field that does not exist', ({ forms }) => writeForm(forms, 'anwohnerparkausweis', { ...validForm(), routing: { regionField: '/wohnort' } }), 'forms/anwohnerparkausweis/form.json: /routing/regionField: "/wohnort" is not a field of the schema'],
    ['an id that differs from the folder', ({ forms }) => writeForm(forms, 'parken', validForm()), 'forms/parken/form.json: /id: is "anwohnerparkausweis" but the folder is "parken"'],
    ['a property name that cannot be an XML element', ({ forms }) => {
      const f = validForm();
      f.schema.properties['1zone'] = { type: 'string' };
      writeForm(forms, 'anwohnerparkausweis', f);
    }, 'forms/anwohnerparkausweis/form.json: /schema/properties/1zone: property name "1zone" cannot be an XML element name'],
    ['a ui pointer to nothing', ({ forms }) => {
      const f = validForm();
      f.ui.fields['/gibtsnicht'] = { label: { de: 'X' } };
      writeForm(forms, 'anwohnerparkausweis', f);
    }, 'forms/anwohnerparkausweis/form.json: /ui/fields/~1gibtsnicht: is not a field of the schema'],
    ['a region field inside an array', ({ forms }) => {
      const f = JSON.parse(readFileSync(path.join(SAMPLE_FORMS, 'hundesteuer-anmeldung', 'form.json'), 'utf8'));
      writeForm(forms, 'hundesteuer-anmeldung', { ...f, routing: { regionField: '/hunde/*/name' } });
    }, 'forms/hundesteuer-anmeldung/form.json: /routing/regionField: must point to one field, not into an array (*)'],
    ['a reserved property name', ({ forms }) => {
      const f = validForm();
      f.schema.properties.constructor = { type: 'string' };
      writeForm(forms, 'anwohnerparkausweis', f);
    }, 'forms/anwohnerparkausweis/form.json: /schema/properties/constructor: property name "constructor" is reserved'],
    ['a step listing a field that does not exist', ({ forms }) => {
      const f = validForm();
      f.ui.steps[1].fields.push('/gibtsnicht');
      writeForm(forms, 'anwohnerparkausweis', f);
    }, 'forms/anwohnerparkausweis/form.json: /ui/steps/1/fields/'],
    ['a tenant file that is not JSON', ({ tenants }) => writeFileSync(path.join(tenants, 'thueringen.json'), '{'), 'tenants/thueringen.json: /: not valid JSON'],
    ['a tenant without authorities', ({ tenants }) => {
      const t = validTenant();
      delete t.authorities;
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    }, 'tenants/thueringen.json: /authorities: is required'],
    ['an ARS of 11 digits', ({ tenants }) => {
      const t = validTenant();
      t.municipalities[0].ars = '16051000000';
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    }, 'tenants/thueringen.json: /municipalities/0/ars: must match pattern'],
    ['overlapping tenants', ({ tenants }) => {
      writeFileSync(path.join(tenants, 'zweites-land.json'), JSON.stringify({ id: 'zweites-land', name: { de: 'Zweites Land' }, regions: ['1605'], links: validTenant().links, municipalities: [], authorities: [] }));
    }, 'tenants/zweites-land.json: /regions/0: region "1605" overlaps region "16" at tenants/thueringen.json: /regions/0'],
    ['two authorities for the same form and prefix', ({ tenants }) => {
      const t = validTenant();
      t.authorities[1].serves.push({ forms: ['gewerbeanmeldung'], regions: ['160510000000'] });
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    }, 'both serve form "gewerbeanmeldung" for region "160510000000"'],
    ['an authority serving outside its tenant', ({ tenants }) => {
      const t = validTenant();
      t.authorities[0].serves[0].regions.push('15');
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    }, 'lies outside the tenant\'s regions (16)'],
    ['an authority serving a form that is not loaded', ({ tenants }) => {
      const t = validTenant();
      t.authorities[0].serves[0].forms.push('fuehrerschein');
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    }, 'form "fuehrerschein" is not loaded from FORMS_DIR'],
  ])('%s', async (_name, change, expected) => {
    const error = await startWith(change);
    expect(error.problems.join('\n')).toContain(expected);
  });

  test('a duplicate claim names both authorities and both places', async () => {
    const error = await startWith(({ tenants }) => {
      const t = validTenant();
      t.authorities[1].serves.push({ forms: ['gewerbeanmeldung'], regions: ['160510000000'] });
      writeFileSync(path.join(tenants, 'thueringen.json'), JSON.stringify(t));
    });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^tenants\/thueringen\.json: \/authorities\/1\/serves\/\d+\/regions\/0: authority "stadt-jena-buergeramt" and authority "stadt-erfurt-buergeramt" \(tenants\/thueringen\.json: \/authorities\/0\/serves\/0\/regions\/0\) both serve/);
  });

  test('every broken form is reported at once and nothing is half-loaded', async () => {
    const error = await startWith(({ forms }) => {
      writeForm(forms, 'kaputt-a', '[');
      writeForm(forms, 'kaputt-b', { ...validForm(), id: 'kaputt-b', serviceKey: 'x' });
    });
    expect(error.problems).toEqual([
      expect.stringMatching(/^forms\/kaputt-a\/form\.json: \/: not valid JSON/),
      expect.stringMatching(/^forms\/kaputt-b\/form\.json: \/serviceKey: must match pattern/),
    ]);
  });
});

describe('the server process', () => {
  afterEach(killSpawnedProcesses);

  test('a bad setting stops the start with exit code 1 and a one-line reason', async () => {
    const { code, stderr } = await spawnEntryPoint('src/main.ts', { PORT: 'dreitausend' }).exited;
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['efa-forms: configuration error: PORT="dreitausend" must be a whole number from 0 to 65535']);
  });

  test('a PostgreSQL that cannot be reached stops the start with exit code 1 and one line, never the URL', async () => {
    const dir = tempDir();
    try {
      // A port nobody listens on (the shared server is on 5432; nothing is stopped for this).
      const url = 'postgres://efa:geheimes-passwort@127.0.0.1:1/efa';
      const { code, stderr } = await spawnEntryPoint('src/main.ts', { DATABASE_URL: url, DATA_DIR: path.join(dir.path, 'data') }).exited;
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n').filter((l) => l.startsWith('efa-forms:'));
      expect(lines).toEqual(['efa-forms: cannot start: DATABASE_URL: PostgreSQL cannot be used (unreachable, ECONNREFUSED); efa-forms needs its database to start']);
      expect(stderr).not.toContain('geheimes-passwort');
    } finally {
      dir.remove();
    }
  });

  test('a broken form stops the start with exit code 1 naming file and pointer', async () => {
    const dir = tempDir();
    try {
      writeForm(dir.path, 'anwohnerparkausweis', { ...validForm(), routing: { regionField: '/nirgends' } });
      const { code, stderr } = await spawnEntryPoint('src/main.ts', { FORMS_DIR: dir.path, DATA_DIR: path.join(dir.path, 'data') }).exited;
      expect(code).toBe(1);
      expect(stderr).toContain(`${path.join(dir.path, 'anwohnerparkausweis', 'form.json')}: /routing/regionField: "/nirgends" is not a field of the schema`);
    } finally {
      dir.remove();
    }
  });

  test('with the samples it serves, and SIGTERM stops it cleanly', async () => {
    const dir = tempDir();
    try {
      const run = await startServerProcess({ DATA_DIR: dir.path });
      const health = await fetch(`${run.url}/healthz`);
      expect(health.status).toBe(200);
      const forms = (await (await fetch(`${run.url}/api/forms`)).json()) as unknown[];
      expect(forms).toHaveLength(3);
      run.kill('SIGTERM');
      const { code, stdout } = await run.exited;
      expect(code).toBe(0);
      expect(stdout).toContain('"server.stopped"');
    } finally {
      dir.remove();
    }
  });
});
