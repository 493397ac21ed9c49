import { Router, type Request, type Response } from 'express';
import { computeCoverage, coverageForms } from '../../coverage/coverage';
import { AppError } from '../../errors';
import { CONSOLE_TEXTS, CONSOLE_TEST_OUTCOME_LABELS, CONSOLE_JOB_STATE_LABELS, consoleLabel } from '../../i18n/console-texts';
import { formatLongDateTime, formatNumber } from '../../i18n/formatters';
import { localize } from '../../i18n/language';
import { format } from '../../i18n/translator';
import type { Actor } from '../../operators/operator-access';
import { auditTarget } from '../../operators/audit-record';
import { reloadProblemsFor } from '../../operators/reload-problems';
import { authorityIdsOf, mayAccessTenant, tenantScope } from '../../operators/tenant-scope';
import type { DeliveryJob } from '../../storage/ports';
import { consoleAuthRoutes, consoleForm, signedIn, type ConsoleGuards } from './console-auth-routes';
import type { ConsoleDependencies, ConsoleSet } from './console-dependencies';
import { consoleErrorHandler } from './console-errors';
import { CONSOLE_CSP, consoleLanguage, sendConsolePage, type ConsolePage } from './console-frame';
import { CONSOLE_LANGUAGE_COOKIE, CONSOLE_PATH, consoleCookie, createConsoleSessions } from './console-session';
import { currentChannels } from '../../routing/authority-channels';
import {
  auditView, coverageView, jobHref, jobView, responsibilitiesView, submissionHref, submissionView, untestedLiveCount,
} from './console-views';

const T = CONSOLE_TEXTS;
/** Rows a listing shows at most (the oldest first: those waited longest). */
const LIST_LIMIT = 200;

/**
 * Everything under /admin: the console's pages, each behind a session, every POST behind the
 * session's CSRF token. A tenant operator sees its own tenant only; another tenant's job,
 * submission or authority gets the very page a nonexistent one gets (404), so nothing tells
 * it exists. The console shows and tests; configuration is changed in the tenant files.
 */
export function consoleRouter(deps: ConsoleDependencies): Router {
  const outer = Router();
  const router = Router();
  const { templates, store } = deps;
  const sessions = createConsoleSessions(deps);

  outer.use(CONSOLE_PATH, (req, res, next) => {
    res.set({ 'content-security-policy': CONSOLE_CSP, 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
    // ?lang= switches the language and returns to the same page.
    const lang = req.query.lang;
    if (req.method === 'GET' && (lang === 'de' || lang === 'en')) {
      const url = new URL(req.originalUrl, 'http://console.invalid');
      url.searchParams.delete('lang');
      res.append('set-cookie', consoleCookie(CONSOLE_LANGUAGE_COOKIE, lang, { secure: deps.secureCookies, maxAgeSeconds: 365 * 24 * 3600 }));
      res.redirect(303, `${url.pathname}${url.search}`);
      return;
    }
    next();
  }, router);

  // Reads the session of every request below, then sign-in and sign-out; every other route needs a session.
  const guards: ConsoleGuards = consoleAuthRoutes(router, deps, sessions);
  const { requireCaller, requireCsrf } = guards;

  /** The set this request runs on, picked once (a reload meanwhile does not change it). */
  const setOf = (res: Response): ConsoleSet => {
    res.locals.efaConsoleSet ??= deps.sets.current();
    return res.locals.efaConsoleSet as ConsoleSet;
  };

  function page(req: Request, res: Response, options: Omit<ConsolePage, 'caller'>): void {
    sendConsolePage(templates, req, res, { ...options, caller: signedIn(res) });
  }

  const notFound = (what: string) => new AppError('NOT_FOUND', `console: ${what} not found or not visible`);

  function visibleTenants(set: ConsoleSet, actor: Actor) {
    const scope = tenantScope(actor);
    return set.routing.tenants().filter((t) => scope === undefined || t.id === scope);
  }

  const authorityIds = (set: ConsoleSet, actor: Actor) => (actor.kind === 'admin' ? undefined : authorityIdsOf(set.routing, actor.tenantId));

  /** A job the actor may see: its authority belongs to the actor's tenant (the admin sees every job). */
  async function visibleJob(set: ConsoleSet, actor: Actor, id: string): Promise<DeliveryJob> {
    const job = await store.deliveries.findJob(id);
    if (!job || !mayAccessTenant(actor, set.routing.authority(job.authorityId)?.tenant.id)) throw notFound('job');
    return job;
  }

  function formTitle(set: ConsoleSet, language: 'de' | 'en') {
    const titles = new Map(coverageForms(set.forms).map((f) => [f.id, localize(f.title, language) ?? f.id]));
    return (id: string) => titles.get(id) ?? id;
  }

  router.get('/', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const ids = authorityIds(set, actor);
    const [dead, failed, last] = await Promise.all([
      store.deliveries.jobsInState('dead', LIST_LIMIT, ids), store.deliveries.jobsInState('failed', LIST_LIMIT, ids), store.deliveries.lastDeliveries(currentChannels(set.routing)),
    ]);
    // The listings stop at LIST_LIMIT: "200+" rather than a count that looks exact.
    const jobCount = (jobs: readonly DeliveryJob[]) => `${formatNumber(jobs.length, language)}${jobs.length >= LIST_LIMIT ? '+' : ''}`;
    page(req, res, {
      status: 200, page: 'overview', title: T.overviewTitle[language], section: 'overview',
      model: {
        lines: [
          { text: format(T.overviewDead[language], { count: jobCount(dead) }), href: `${CONSOLE_PATH}/deliveries` },
          { text: format(T.overviewFailed[language], { count: jobCount(failed) }), href: `${CONSOLE_PATH}/deliveries` },
          { text: format(T.overviewUntested[language], { count: formatNumber(untestedLiveCount(visibleTenants(set, actor), last), language) }), href: `${CONSOLE_PATH}/responsibilities` },
        ],
      },
    });
  });

  router.get('/coverage', requireCaller, (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const report = computeCoverage({
      routing: set.routing, forms: coverageForms(set.forms), tenantId: tenantScope(actor), now: deps.now(), isOnline: (match) => match.rollout === 'live',
    });
    page(req, res, { status: 200, page: 'coverage', title: T.coverageTitle[language], section: 'coverage', model: { items: coverageView(report, language) } });
  });

  router.get('/responsibilities', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const last = await store.deliveries.lastDeliveries(currentChannels(set.routing));
    page(req, res, {
      status: 200, page: 'responsibilities', title: T.responsibilitiesTitle[language], section: 'responsibilities',
      model: { tenants: responsibilitiesView(visibleTenants(set, actor), last, formTitle(set, language), language) },
    });
  });

  router.get('/authorities/:id', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const found = set.routing.authority(String(req.params.id));
    if (!found || !mayAccessTenant(actor, found.tenant.id)) throw notFound('authority');
    const last = await store.deliveries.lastDeliveries(currentChannels(set.routing));
    const [view] = responsibilitiesView([{ ...found.tenant, authorities: [found.authority] }], last, formTitle(set, language), language);
    page(req, res, {
      status: 200, page: 'authority', title: format(T.authorityTitle[language], { authority: found.authority.name }), section: 'responsibilities',
      model: { tenant: localize(found.tenant.name, language) ?? found.tenant.id, authority: view?.authorities[0], action: `${CONSOLE_PATH}/authorities/${encodeURIComponent(found.authority.id)}/test-delivery` },
    });
  });

  router.post('/authorities/:id/test-delivery', requireCaller, consoleForm, requireCsrf, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const found = set.routing.authority(String(req.params.id));
    if (!found || !mayAccessTenant(actor, found.tenant.id)) throw notFound('authority');
    const result = await set.testDeliveries.send(found.authority.id, actor);
    if (!result) throw notFound('authority with a test target');
    page(req, res, {
      status: 200, page: 'test-result', title: T.testResultTitle[language], section: 'responsibilities',
      model: {
        authority: found.authority.name, authorityHref: `${CONSOLE_PATH}/authorities/${encodeURIComponent(found.authority.id)}`,
        outcome: consoleLabel(CONSOLE_TEST_OUTCOME_LABELS, result.outcome, language), failed: result.outcome === 'failed',
        // Waiting in the inbox is said in the console's language; a failure's reason is the
        // channel's own technical English text, shown as it is and marked as English.
        note: result.outcome === 'queued' ? T.testQueuedDetail[language] : undefined,
        technicalDetail: result.outcome === 'queued' ? undefined : result.detail,
        channel: result.channel, reference: result.reference, referenceHref: submissionHref(result.reference),
        form: formTitle(set, language)(result.formId), at: formatLongDateTime(new Date(result.at), language),
      },
    });
  });

  router.get('/deliveries', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const ids = authorityIds(set, actor);
    const [dead, failed] = await Promise.all([store.deliveries.jobsInState('dead', LIST_LIMIT, ids), store.deliveries.jobsInState('failed', LIST_LIMIT, ids)]);
    const view = (jobs: readonly DeliveryJob[]) => jobs.map((j) => jobView(j, set.routing, language));
    page(req, res, { status: 200, page: 'deliveries', title: T.deliveriesTitle[language], section: 'deliveries', model: { dead: view(dead), failed: view(failed) } });
  });

  router.get('/deliveries/:job', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const job = await visibleJob(set, actor, String(req.params.job));
    page(req, res, {
      status: 200, page: 'job', title: format(T.jobDetails[language], { job: job.id }), section: 'deliveries',
      model: { job: jobView(job, set.routing, language), retried: req.query.retried === '1' ? T.retried[language] : undefined },
    });
  });

  router.post('/deliveries/:job/retry', requireCaller, consoleForm, requireCsrf, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const id = String(req.params.job);
    let job: DeliveryJob;
    try {
      job = await visibleJob(set, actor, id);
    } catch (err) {
      // Recorded for the installation (tenant null: the admin's view only), as the API does: in the
      // caller's own trail another tenant's job id would show, and keeping only unknown ids there
      // would tell which ids exist.
      await store.operatorAudit.record({ at: deps.now(), actor: actor.id, tenantId: null, action: 'delivery.retry', target: auditTarget(id), outcome: 'refused', detail: 'DELIVERY_NOT_FOUND' });
      throw err;
    }
    const entry = { at: deps.now(), actor: actor.id, tenantId: set.routing.authority(job.authorityId)?.tenant.id ?? null, action: 'delivery.retry', target: job.id };
    const retried = await store.deliveries.retry(job.id, deps.now());
    if (!retried) {
      // Purged (retention): the job's body and the answers are gone, so it can never be sent again.
      const purged = (await store.deliveries.findJob(job.id))?.purgedAt !== undefined;
      await store.operatorAudit.record({ ...entry, outcome: 'refused', detail: purged ? 'SUBMISSION_DATA_DELETED' : 'DELIVERY_NOT_RETRYABLE' });
      page(req, res, {
        status: purged ? 410 : 409, page: 'message', title: T.notRetryableTitle[language], section: 'deliveries',
        model: {
          message: purged ? T.purgedNotRetryable[language] : format(T.notRetryable[language], { state: consoleLabel(CONSOLE_JOB_STATE_LABELS, job.state, language) }),
          backHref: jobHref(job.id),
        },
      });
      return;
    }
    await store.operatorAudit.record({ ...entry, outcome: 'ok' });
    // Due now: the worker looks at once instead of at its next poll.
    deps.worker.nudge();
    res.redirect(303, `${jobHref(job.id)}?retried=1`);
  });

  router.get('/submissions', requireCaller, (req, res) => {
    const ref = typeof req.query.ref === 'string' ? req.query.ref.trim() : '';
    if (ref !== '') {
      res.redirect(303, submissionHref(ref));
      return;
    }
    const language = consoleLanguage(req);
    page(req, res, { status: 200, page: 'submissions', title: T.submissionsTitle[language], section: 'submissions' });
  });

  router.get('/submissions/:ref', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const set = setOf(res);
    const language = consoleLanguage(req);
    const record = await store.submissions.find(String(req.params.ref));
    if (!record || !mayAccessTenant(actor, record.tenantId)) throw notFound('submission');
    const jobs = await store.deliveries.jobsOf(record.id);
    page(req, res, {
      status: 200, page: 'submission', title: format(T.submissionTitle[language], { reference: record.id }), section: 'submissions',
      model: { submission: submissionView(record, jobs, set.routing, formTitle(set, language), language) },
    });
  });

  router.get('/audit', requireCaller, async (req, res) => {
    const { actor } = signedIn(res);
    const language = consoleLanguage(req);
    const scope = tenantScope(actor);
    const entries = await store.operatorAudit.list({ ...(scope !== undefined ? { tenantId: scope } : {}), limit: LIST_LIMIT });
    page(req, res, {
      status: 200, page: 'audit', title: T.auditTitle[language], section: 'audit',
      model: { intro: format(T.auditIntro[language], { limit: LIST_LIMIT }), entries: auditView(entries, language) },
    });
  });

  router.get('/reload', requireCaller, (req, res) => {
    const language = consoleLanguage(req);
    page(req, res, { status: 200, page: 'reload', title: T.reloadTitle[language], section: 'reload' });
  });

  router.post('/reload', requireCaller, consoleForm, requireCsrf, async (req, res) => {
    const { actor } = signedIn(res);
    const language = consoleLanguage(req);
    // The tenant files of the set that stays when the reload is refused.
    const running = deps.reload.versions().tenants;
    const outcome = await deps.reload.reload();
    await store.operatorAudit.record({
      at: deps.now(), actor: actor.id, tenantId: null, action: 'reload', target: null, outcome: outcome.ok ? 'ok' : 'refused',
      ...(outcome.ok ? {} : { detail: `${outcome.problems.length} problem(s)` }),
    });
    // The API's rule exactly: no line naming another tenant's file or operator, only how many there were.
    const { shown: problems, hidden } = outcome.ok ? { shown: [], hidden: 0 } : await reloadProblemsFor(actor, outcome.problems, running);
    page(req, res, {
      status: outcome.ok ? 200 : 422, page: 'reload', title: T.reloadTitle[language], section: 'reload', hasErrors: !outcome.ok,
      model: {
        done: outcome.ok ? T.reloadDone[language] : undefined, refused: !outcome.ok, problems,
        hidden: hidden > 0 ? format(T.reloadHidden[language], { count: formatNumber(hidden, language) }) : undefined,
      },
    });
  });

  router.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `console: no page ${req.method} ${req.path}`));
  });
  router.use(consoleErrorHandler({ templates, logger: deps.logger }));
  return outer;
}
