import { Router } from 'express';
import { AppError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import { buildXsdV1 } from '../payloads/xsd/v1';

/** Read-only access to form definitions for portals, and the XSD of each form's payload. */
export function formsRouter(forms: FormRegistry): Router {
  const router = Router();
  const summaries = forms.list().map(({ definition: d }) => ({ id: d.id, version: d.version, title: d.title }));
  // Built once, when the app is built: a form's XSD only changes with its definition.
  const xsds = new Map(forms.list().map((form) => [form.definition.id, buildXsdV1(form)]));

  router.get('/api/forms', (_req, res) => {
    res.json(summaries);
  });

  router.get('/api/forms/:id', (req, res) => {
    const form = forms.get(req.params.id);
    if (!form) throw new AppError('FORM_NOT_FOUND', `unknown form ${req.params.id}`);
    res.json(form.definition);
  });

  router.get('/api/forms/:id/schema.xsd', (req, res) => {
    const xsd = xsds.get(req.params.id);
    if (xsd === undefined) throw new AppError('FORM_NOT_FOUND', `unknown form ${req.params.id}`);
    res.type('application/xml; charset=utf-8').send(xsd);
  });

  return router;
}
