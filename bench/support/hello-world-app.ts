/**
 * The express hello-world the pages' ratios are measured against (issue 14: "question page GET
 * ≥ 0.5 × hello-world GET, step POST ≥ 0.35 × hello-world POST"), in the bench's own process. It
 * is built on the same base app as efa-forms (src/app.ts: the same headers, no ETag, the simple
 * query parser), so a ratio shows what our own work costs, not what express costs:
 * - `GET /`: a tiny HTML page with the pages' CSP and `no-store`;
 * - `POST /`: a urlencoded form body parsed, then 303 to `/` (what a step POST answers);
 * - `POST /json`: a JSON body parsed (express.json, up to 1 MB like the default BODY_LIMIT), then
 *   201 with a small JSON answer (what the submission API answers).
 */
import express, { type Express } from 'express';
import { baseApp } from '../../src/app';

export const HELLO_WORLD_PATHS = { page: '/', form: '/', json: '/json' } as const;

export function helloWorldApp(): Express {
  const app = baseApp();
  app.use((_req, res, next) => {
    res.set({ 'content-security-policy': "default-src 'self'", 'cache-control': 'no-store' });
    next();
  });
  app.get(HELLO_WORLD_PATHS.page, (_req, res) => {
    res.type('html').send('<!DOCTYPE html><html lang="de"><title>Hallo</title><p>Hallo Welt</p></html>');
  });
  app.post(HELLO_WORLD_PATHS.form, express.urlencoded({ extended: false }), (_req, res) => {
    res.redirect(303, HELLO_WORLD_PATHS.page);
  });
  app.post(HELLO_WORLD_PATHS.json, express.json({ limit: '1mb' }), (_req, res) => {
    res.status(201).json({ id: 'hallo-welt', status: 'accepted' });
  });
  return app;
}
