import { Router } from 'express';
import { AppError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';

/** Read-only access to form definitions for portals. */
export function formsRouter(forms: FormRegistry): Router {
  const router = Router();
  const summaries = forms.list().map(({ definition: d }) => ({ id: d.id, version: d.version, title: d.title }));

  router.get('/api/forms', (_req, res) => {
    res.json(summaries);
  });

  router.get('/api/forms/:id', (req, res) => {
    const form = forms.get(req.params.id);
    if (!form) throw new AppError('FORM_NOT_FOUND', `unknown form ${req.params.id}`);
    res.json(form.definition);
  });

  return router;
}
