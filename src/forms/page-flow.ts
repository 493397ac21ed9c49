import type { FieldError } from '../errors';
import type { Language } from '../i18n/language';
import { format, type Translator } from '../i18n/translator';
import type { MunicipalitySearch } from '../routing/municipality-search';
import { submissionRefusal, type TesterAccess } from '../routing/rollout-refusal';
import type { RoutingTable } from '../routing/routing-table';
import { pruneInapplicable, stepApplies } from './applicability';
import type { CompiledForm } from './compiled-form';
import type { FormStep } from './form-tree';
import { getAtPointer } from '../support/json-pointer';

type Data = Record<string, unknown>;

/** Where a step stands among the steps that apply to the answers given. */
export interface StepPosition {
  /** 0-based; 0 when the step does not apply (just now). */
  readonly index: number;
  readonly total: number;
  readonly previous?: FormStep;
  readonly next?: FormStep;
}

/** What the check page's "send" finds: the first step with errors, wrong declarations, or ready. */
export type SubmitCheck =
  | { readonly outcome: 'step'; readonly step: FormStep; readonly errors: readonly FieldError[] }
  | { readonly outcome: 'declarations'; readonly errors: readonly FieldError[] }
  | { readonly outcome: 'ready'; readonly data: Data };

/**
 * The citizen's way through a form, decided here and not in the HTTP router: which steps apply
 * to the answers given, where a step stands, which errors belong to it (the region step also
 * needs an authority online for the municipality, in rollout state `live`), and whether everything is complete.
 */
export interface PageFlow {
  /** The steps that apply to the answers given, in order. */
  applicableSteps(form: CompiledForm, data: unknown): FormStep[];
  position(form: CompiledForm, step: FormStep, data: unknown): StepPosition;
  /** The errors of one step: the schema's for its questions (after pruning what does not apply). */
  stepErrors(form: CompiledForm, step: FormStep, data: Data, language: Language, tester?: TesterAccess): FieldError[];
  /** The first applicable step that is not complete (for a resumed draft), if any. */
  firstIncompleteStep(form: CompiledForm, data: Data, language: Language, tester?: TesterAccess): FormStep | undefined;
  /** Everything validated again, step by step, then the declarations: the server decides. */
  checkSubmission(form: CompiledForm, data: Data, language: Language, tester?: TesterAccess): SubmitCheck;
  /**
   * Whether a step post is a municipality search: the search button, or Enter in the search
   * field of the region step while no municipality is chosen.
   */
  isRegionSearch(form: CompiledForm, step: FormStep, action: string, query: string, data: unknown): boolean;
}

export interface PageFlowDependencies {
  readonly routing: Pick<RoutingTable, 'resolve'>;
  readonly municipalities: Pick<MunicipalitySearch, 'byArs'>;
  readonly translator: Translator;
}

/** The errors that belong to a step's questions (the region field only on the region step). */
function errorsOfStep(form: CompiledForm, step: FormStep, errors: readonly FieldError[]): FieldError[] {
  return errors.filter((e) => {
    const isRegion = e.pointer === form.regionPattern;
    if (step.kind === 'region') return isRegion;
    if (isRegion) return false;
    return step.nodes.some((n) => e.pointer === n.pattern || e.pointer.startsWith(`${n.pattern}/`));
  });
}

export function createPageFlow(deps: PageFlowDependencies): PageFlow {
  const { routing, municipalities, translator } = deps;

  const applicableSteps = (form: CompiledForm, data: unknown): FormStep[] => form.steps.filter((s) => stepApplies(s, data));

  function stepErrors(form: CompiledForm, step: FormStep, data: Data, language: Language, tester?: TesterAccess): FieldError[] {
    const pruned = pruneInapplicable(form.root, data);
    const errors = errorsOfStep(form, step, form.validate(pruned, language));
    if (step.kind === 'region' && errors.length === 0) {
      const ars = getAtPointer(data, form.regionPattern);
      const t = translator.strings(language);
      if (typeof ars !== 'string') return [{ pointer: form.regionPattern, message: t.regionChoose ?? '' }];
      const match = routing.resolve(form.definition.id, ars);
      const name = municipalities.byArs(ars)?.municipality.name;
      if (!match) return [{ pointer: form.regionPattern, message: format(t.regionNoAuthority ?? '', { name: name ?? ars }) }];
      // Planned, testing or paused: told here, before the citizen types anything else.
      const refusal = submissionRefusal(match, name, language, tester);
      if (refusal) return [{ pointer: form.regionPattern, message: refusal.message }];
    }
    return errors;
  }

  return {
    applicableSteps,
    position(form, step, data) {
      const steps = applicableSteps(form, data);
      const found = steps.findIndex((s) => s.id === step.id);
      const index = Math.max(found, 0);
      return {
        index,
        total: steps.length,
        ...(index > 0 ? { previous: steps[index - 1]! } : {}),
        ...(steps[found + 1] ? { next: steps[found + 1]! } : {}),
      };
    },
    stepErrors,
    firstIncompleteStep: (form, data, language, tester) => applicableSteps(form, data).find((s) => stepErrors(form, s, data, language, tester).length > 0),
    checkSubmission(form, data, language, tester) {
      for (const step of applicableSteps(form, data)) {
        const errors = stepErrors(form, step, data, language, tester);
        if (errors.length > 0) return { outcome: 'step', step, errors };
      }
      const pruned = pruneInapplicable(form.root, data);
      const declarationErrors = form.validate(pruned, language).filter((e) => form.declarations.some((d) => d.pattern === e.pointer));
      if (declarationErrors.length > 0) return { outcome: 'declarations', errors: declarationErrors };
      return { outcome: 'ready', data: pruned };
    },
    isRegionSearch: (form, step, action, query, data) =>
      action === 'search' || (step.kind === 'region' && query !== '' && getAtPointer(data, form.regionPattern) === undefined),
  };
}
