import { Router } from 'express';
import { readCookie, serializeCookie, type CookieOptions } from '../cookies';
import { PAGE_CSP } from './page-headers';
import type { PageViews } from './page-views';
import type { PagesDependencies } from './pages-dependencies';
import { setTester, TESTER_COOKIE } from './tester';

/**
 * The routes of a tester's link on the citizen's pages (see tester.ts): the link itself, and the
 * check on every page of a form. `cookieOptions` gives a cookie's options for a form's pages.
 */
export function testerAccessRouter(
  deps: Pick<PagesDependencies, 'forms' | 'testLinks' | 'routing'>,
  views: Pick<PageViews, 'base' | 'renderMessage'>,
  cookieOptions: (formId: string, maxAgeSeconds?: number) => CookieOptions,
): Router {
  const router = Router();

  // A tester's link in use for this form: checked against the store on every request, so an
  // expired link ends the test mode at once (then the pages are the citizen's again).
  router.use('/forms/:id', async (req, res, next) => {
    const token = readCookie(req.get('cookie'), TESTER_COOKIE);
    if (token !== undefined) {
      const link = await deps.testLinks.check(token);
      const authority = link ? deps.routing.authority(link.authorityId)?.authority : undefined;
      // A link whose authority a reload took away opens nothing any more.
      if (link && authority && link.formId === req.params.id) setTester(res, { authorityId: link.authorityId, authorityName: authority.name, formId: link.formId });
    }
    next();
  });

  // The link an operator hands an authority's testers: the token goes into a cookie for the
  // link's form, and the tester starts the real pages.
  router.get('/test-access/:token', async (req, res) => {
    res.set({ 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
    const link = await deps.testLinks.check(String(req.params.token));
    const form = link ? deps.forms.get(link.formId) : undefined;
    if (!link || !form) {
      views.renderMessage(req, res, 404, 'testLinkInvalid');
      return;
    }
    const seconds = Math.max(1, Math.floor((link.expiresAt.getTime() - Date.now()) / 1000));
    res.append('set-cookie', serializeCookie(TESTER_COOKIE, String(req.params.token), cookieOptions(link.formId, seconds)));
    res.redirect(303, views.base(link.formId));
  });

  return router;
}
