import type { Request, Response } from 'express';
import type { FieldError } from '../../errors';
import { applies } from '../../forms/applicability';
import type { CompiledForm } from '../../forms/compiled-form';
import { fieldId, fieldView, type FieldView, type ViewContext } from '../../forms/field-view';
import { fileQuestionsOf } from '../../forms/file-questions';
import { fileQuestionsOfStep } from '../../forms/file-questions';
import { withAllFileAnswers, withFileAnswers } from '../../forms/form-post';
import type { FileFacts } from '../../forms/summary';
import { FILE_STATUS_TEXTS } from '../../i18n/attachment-texts';
import { formatFileSize } from '../../i18n/file-size';
import type { AttachmentRecord } from '../../storage/attachment-ports';
import type { FormStep } from '../../forms/form-tree';
import { getAtPointer } from '../../support/json-pointer';
import type { RegionSearch } from '../../forms/kinds/field-kind';
import { summaryRows } from '../../forms/summary';
import { formatLongDate, formatLongDateTime } from '../../i18n/formatters';
import type { Language } from '../../i18n/language';
import { localize } from '../../i18n/language';
import { format } from '../../i18n/translator';
import { parameterRows } from '../../routing/parameter-view';
import type { Authority, LocalParameters, Tenant } from '../../routing/tenant';

/** The authority of a submission and its tenant, as the routing table finds them. */
interface AuthorityMatch {
  readonly tenant: Tenant;
  readonly authority: Authority;
}
import type { Draft, SubmissionRecord } from '../../storage/ports';
import { fileNoteMessages, takeFileNote, type FileNote } from './file-notes';
import { frame, languageSwitchUrl, pageLanguage } from './page-frame';
import type { PagesDependencies } from './pages-dependencies';
import { testerOf } from './tester';
import { openRollouts, type TesterAccess } from '../../routing/rollout-refusal';

/** What the page views need (a subset of PagesDependencies). */
export type PageViewDependencies = Pick<PagesDependencies, 'flow' | 'renderer' | 'drafts' | 'routing' | 'municipalities' | 'siteTenant' | 'publicBaseUrl' | 'submissions' | 'attachments' | 'secureCookies'>;

type Data = Record<string, unknown>;

/** The draft's answers; anything but an object (never written by us) counts as none. */
export function parseData(draft: Draft): Data {
  const parsed: unknown = JSON.parse(draft.dataJson);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Data) : {};
}

/** The info box of local parameters (templates/partials/local-parameters.hbs). */
interface LocalParametersView {
  readonly title: string;
  readonly authority?: string;
  readonly rows: ReturnType<typeof parameterRows>;
}

/** The parameters stored with a submission; anything but an object (never written by us) counts as none. */
function storedParameters(record: SubmissionRecord): LocalParameters {
  if (record.parametersJson === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(record.parametersJson);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

export type MessageKind = 'expired' | 'notFound' | 'csrf' | 'rateLimited' | 'unavailable' | 'error' | 'testLinkInvalid' | 'badRequest' | 'tooLarge';

export interface StepRender {
  readonly errors?: readonly FieldError[];
  readonly query?: string;
  readonly searched?: boolean;
  /** What the post shown in place did to the files (a GET takes the note its post left). */
  readonly fileNote?: FileNote;
}

/** The citizen's pages, each rendered into a response (the router decides which one). */
export interface PageViews {
  /** `/forms/<id>` */
  readonly base: (formId: string) => string;
  /** `/forms/<id>/steps/<step>`, with `?return=check` when the citizen came from the check page. */
  readonly stepUrl: (formId: string, stepId: string, toCheck?: boolean) => string;
  readonly renderIndex: (req: Request, res: Response, forms: readonly CompiledForm[]) => void;
  readonly renderStart: (req: Request, res: Response, form: CompiledForm) => void;
  readonly renderMessage: (req: Request, res: Response, status: number, kind: MessageKind, form?: CompiledForm) => void;
  /** A step with file questions lists the draft's files at them (the store's word, see withFileAnswers). */
  readonly renderStep: (req: Request, res: Response, form: CompiledForm, step: FormStep, draft: Draft, data: Data, extra?: StepRender) => Promise<void>;
  readonly renderCheck: (req: Request, res: Response, form: CompiledForm, draft: Draft, data: Data, errors?: readonly FieldError[]) => Promise<void>;
  readonly renderSaved: (req: Request, res: Response, form: CompiledForm, draft: Draft, data: Data, continueUrl: string) => Promise<void>;
  readonly renderConfirmation: (req: Request, res: Response, form: CompiledForm, record: SubmissionRecord, found: AuthorityMatch, receiptUrl: string) => Promise<void>;
}

/**
 * The pages themselves: index, start, step, check page, "continue later", confirmation and
 * messages. Which step applies and what belongs to it is the page flow's (forms/page-flow.ts).
 */
export function createPageViews(deps: PageViewDependencies): PageViews {
  const { renderer, drafts, routing, municipalities, flow } = deps;
  const base = (id: string) => `/forms/${encodeURIComponent(id)}`;
  const stepUrl = (id: string, step: string, toCheck = false) => `${base(id)}/steps/${encodeURIComponent(step)}${toCheck ? '?return=check' : ''}`;
  const switchTo = (req: Request, language: Language) => languageSwitchUrl(req, language === 'de' ? 'en' : 'de');
  /** The tenant whose name and legal links frame the page: the applicant's once known. */
  function tenantFor(form: CompiledForm | undefined, data: unknown): Tenant {
    const ars = form ? getAtPointer(data, form.regionPattern) : undefined;
    const match = form && typeof ars === 'string' ? routing.resolve(form.definition.id, ars) : undefined;
    return match?.tenant ?? deps.siteTenant;
  }
  /** The box of what holds locally, or undefined when there is nothing to show. */
  function parametersBox(parameters: LocalParameters, ars: string, language: Language, authorityName?: string): LocalParametersView | undefined {
    const rows = parameterRows(parameters, language);
    if (rows.length === 0) return undefined;
    const t = renderer.strings(language);
    const name = municipalities.byArs(ars)?.municipality.name ?? ars;
    return {
      title: format(t.parametersTitle ?? '', { name }),
      ...(authorityName !== undefined ? { authority: format(t.parametersAuthority ?? '', { authority: authorityName }) } : {}),
      rows,
    };
  }
  /**
   * What holds for the citizen's municipality once it is known and its route takes applications
   * (`live`); undefined before, or when nothing is set.
   */
  function liveParametersBox(form: CompiledForm, data: unknown, language: Language, tester: TesterAccess | undefined): LocalParametersView | undefined {
    const ars = getAtPointer(data, form.regionPattern);
    if (typeof ars !== 'string') return undefined;
    const match = routing.resolve(form.definition.id, ars);
    if (!match || !openRollouts(match, tester).includes(match.rollout)) return undefined;
    return parametersBox(match.parameters, ars, language, match.authority.name);
  }
  /** Question steps after the region step show the box (the region step shows the answer to the region itself). */
  function isAfterRegion(form: CompiledForm, step: FormStep): boolean {
    const region = form.steps.findIndex((s) => s.kind === 'region');
    return region >= 0 && form.steps.indexOf(step) > region;
  }
  function viewContext(form: CompiledForm, language: Language, data: Data, errors: readonly FieldError[], search?: RegionSearch, files?: FileFacts): ViewContext {
    return {
      form, language, strings: renderer.strings(language), data, municipalities,
      errors: new Map(errors.map((e) => [e.pointer, e.message])), ...(search ? { search } : {}), ...(files ? { files } : {}),
    };
  }
  /** What the file questions show of these files: names and sizes, and the installation's cap. */
  function fileFacts(records: readonly AttachmentRecord[]): FileFacts {
    return { byId: new Map(records.map((r) => [r.id, { fileName: r.fileName, size: r.size }])), maxFileBytes: deps.attachments.limits.maxFileBytes };
  }

  function renderMessage(req: Request, res: Response, status: number, kind: MessageKind, form?: CompiledForm): void {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const restart = form ? base(form.definition.id) : undefined;
    res.status(status).type('html').send(renderer.render('message', {
      ...frame({ testMode: testerOf(res) !== undefined, renderer, tenant: deps.siteTenant, language, ...(form ? { form } : {}), pageTitle: t[`${kind}Title`] ?? '', ...(req.method === 'GET' ? { switchUrl: switchTo(req, language) } : {}) }),
      message: t[`${kind}Text`],
      ...(restart && kind === 'expired' ? { linkUrl: restart, linkText: t.expiredRestart } : {}),
    }));
  }

  function renderIndex(req: Request, res: Response, forms: readonly CompiledForm[]): void {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    res.type('html').send(renderer.render('index', {
      ...frame({ testMode: testerOf(res) !== undefined, renderer, tenant: deps.siteTenant, language, pageTitle: t.indexTitle ?? '', switchUrl: `/forms?lang=${language === 'de' ? 'en' : 'de'}` }),
      forms: forms.map((f) => ({ url: base(f.definition.id), title: localize(f.definition.title, language), description: localize(f.definition.description, language) })),
    }));
  }

  function renderStart(req: Request, res: Response, form: CompiledForm): void {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const title = localize(form.definition.title, language) ?? form.definition.id;
    res.type('html').send(renderer.render('start', {
      ...frame({ testMode: testerOf(res) !== undefined, renderer, tenant: deps.siteTenant, language, form, pageTitle: title, switchUrl: switchTo(req, language) }),
      formTitle: title,
      formDescription: localize(form.definition.description, language),
      stepTitles: form.steps.map((s) => localize(s.title, language)),
      startUrl: `${base(form.definition.id)}/start`,
      t,
    }));
  }

  async function renderStep(req: Request, res: Response, form: CompiledForm, step: FormStep, draft: Draft, given: Data, extra: StepRender = {}): Promise<void> {
    const multipart = fileQuestionsOfStep(step).length > 0;
    const records = multipart ? await deps.attachments.ofDraft(draft.key) : [];
    const data = multipart ? withFileAnswers(step, given, records) : given;
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const errors = extra.errors ?? [];
    const id = form.definition.id;
    const { index, total, previous } = flow.position(form, step, data);
    const toCheck = req.query.return === 'check';
    const fileNote = extra.fileNote ?? takeFileNote(req, res, base(id), deps.secureCookies, step.id);
    const ctx = viewContext(form, language, data, errors, { query: extra.query ?? '', searched: extra.searched ?? false }, multipart ? fileFacts(records) : undefined);
    const fields = step.nodes
      .filter((n) => n.condition?.reveal !== undefined || applies(n, n.pattern, data))
      .map((n) => fieldView(n, n.pattern, ctx))
      .filter((v): v is FieldView => v !== undefined);
    const backUrl = toCheck ? `${base(id)}/check` : previous ? stepUrl(id, previous.id) : base(id);
    const title = localize(step.title, language) ?? step.id;
    res.status(errors.length > 0 ? 400 : 200).type('html').send(renderer.render('step', {
      ...frame({ testMode: testerOf(res) !== undefined,
        renderer, tenant: tenantFor(form, data), language, form, pageTitle: title, backUrl, hasErrors: errors.length > 0,
        ...(req.method === 'GET' ? { switchUrl: switchTo(req, language) } : {}),
      }),
      errors: errors.map((e) => ({ href: fieldId(e.pointer), message: e.message })),
      stepOf: format(t.stepOf ?? '', { n: index + 1, total }),
      stepTitle: title,
      stepDescription: localize(step.description, language),
      action: stepUrl(id, step.id, toCheck),
      csrf: draft.csrfToken,
      multipart,
      // Per file question: what the last post did (field-file.hbs), and the script's word for an upload cut off.
      ...(multipart ? { fileNotes: fileNoteMessages(fileNote, step, records, language), uploadInterrupted: FILE_STATUS_TEXTS.interrupted[language] } : {}),
      fields,
      ...(isAfterRegion(form, step) ? { localParameters: liveParametersBox(form, data, language, testerOf(res)) } : {}),
    }));
  }

  async function renderCheck(req: Request, res: Response, form: CompiledForm, draft: Draft, given: Data, errors: readonly FieldError[] = []): Promise<void> {
    const withFiles = fileQuestionsOf(form).length > 0;
    const records = withFiles ? await deps.attachments.ofDraft(draft.key) : [];
    const data = withFiles ? withAllFileAnswers(form, given, records) : given;
    const files = withFiles ? fileFacts(records) : undefined;
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const id = form.definition.id;
    const steps = flow.applicableSteps(form, data);
    const ctx = viewContext(form, language, data, errors, undefined, files);
    const ars = getAtPointer(data, form.regionPattern);
    const match = typeof ars === 'string' ? routing.resolve(id, ars) : undefined;
    res.status(errors.length > 0 ? 400 : 200).type('html').send(renderer.render('check', {
      ...frame({ testMode: testerOf(res) !== undefined,
        renderer, tenant: tenantFor(form, data), language, form, pageTitle: t.checkTitle ?? '', hasErrors: errors.length > 0,
        ...(steps.length > 0 ? { backUrl: stepUrl(id, steps[steps.length - 1]!.id) } : {}),
        ...(req.method === 'GET' ? { switchUrl: switchTo(req, language) } : {}),
      }),
      errors: errors.map((e) => ({ href: fieldId(e.pointer), message: e.message })),
      sections: steps.map((step) => ({
        title: localize(step.title, language),
        rows: summaryRows(form, step, data, language, t, municipalities, (pointer) => `${stepUrl(id, step.id, true)}#${fieldId(pointer)}`, files),
      })),
      // Only a route that takes applications: otherwise the send finds the region step's answer.
      authorityName: match && openRollouts(match, testerOf(res)).includes(match.rollout) ? match.authority.name : undefined,
      localParameters: liveParametersBox(form, data, language, testerOf(res)),
      declarations: form.declarations.map((n) => fieldView(n, n.pattern, ctx)),
      action: `${base(id)}/check`,
      csrf: draft.csrfToken,
    }));
  }

  async function renderSaved(req: Request, res: Response, form: CompiledForm, draft: Draft, data: Data, continueUrl: string): Promise<void> {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const { token, expiresAt } = await drafts.issueResumeToken(draft);
    const origin = deps.publicBaseUrl || `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    res.status(200).type('html').send(renderer.render('saved', {
      ...frame({ testMode: testerOf(res) !== undefined, renderer, tenant: tenantFor(form, data), language, form, pageTitle: t.savedTitle ?? '' }),
      resumeUrl: `${origin}${base(form.definition.id)}/resume/${token}`,
      expires: format(t.savedExpires ?? '', { date: formatLongDate(expiresAt, language) }),
      continueUrl,
    }));
  }

  /** The applicant's status page: where the application stands, as of its latest event. */
  async function renderConfirmation(req: Request, res: Response, form: CompiledForm, record: SubmissionRecord, found: AuthorityMatch, receiptUrl: string): Promise<void> {
    const language = pageLanguage(req);
    const t = renderer.strings(language);
    const view = await deps.submissions.statusOf(record);
    // The files sent with it, as stored with the submission (gone with its data after retention).
    const files = (await deps.attachments.ofSubmission(record.id)).map((a) => ({ name: a.fileName, size: formatFileSize(a.size, language) }));
    // The status holds since its latest event; the deletion of the answers (retention) is told apart.
    const latest = view.events.filter((e) => e.type !== 'purged').at(-1)?.at ?? record.createdAt;
    const status = { code: view.status, text: t[`status_${view.status}`] ?? '', iso: latest.toISOString(), at: formatLongDateTime(latest, language) };
    const purged = record.purgedAt
      ? { text: t.statusPurged ?? '', iso: record.purgedAt.toISOString(), at: formatLongDateTime(record.purgedAt, language) }
      : undefined;
    res.set('cache-control', 'no-store').type('html').send(renderer.render('confirmation', {
      ...frame({ testMode: testerOf(res) !== undefined || record.test === true, renderer, tenant: found.tenant, language, form, pageTitle: t.confirmationTitle ?? '', switchUrl: switchTo(req, language) }),
      reference: record.id,
      authority: { name: found.authority.name, email: found.authority.email },
      // As they held when the application was accepted, not as the tenant file says today.
      localParameters: parametersBox(storedParameters(record), record.regionArs, language),
      files,
      status,
      purged,
      pageUrl: req.originalUrl,
      // Nothing left to render a receipt from once the answers are deleted.
      receiptUrl: purged ? undefined : receiptUrl,
      againUrl: base(form.definition.id),
    }));
  }

  return { base, stepUrl, renderIndex, renderStart, renderMessage, renderStep, renderCheck, renderSaved, renderConfirmation };
}
