import type { DocumentMediaType } from '../support/media-type';
import type { LocalText } from '../i18n/language';

/**
 * The form as questions: a tree of nodes built once per form from its schema and optional `ui`
 * (question-tree.ts), in schema order. Pages, answer parsing, summaries, the receipt and pruning
 * all walk this tree, never the schema, so a page costs no schema walk. What a kind of question
 * does (parse, view, summary) lives in its module under kinds/.
 */
export type Widget =
  | 'text' | 'textarea' | 'number' | 'date' | 'email' | 'tel' | 'radios' | 'select' | 'checkbox'
  | 'checkboxes' | 'yesno' | 'region' | 'file';

/** When a question applies: while `test(parentObject)` holds (an if/then branch is taken). */
export interface Condition {
  readonly test: (parent: unknown) => boolean;
  /** For the optional script: the sibling question that switches it and the values that show it. */
  readonly reveal?: { readonly controller: string; readonly values: readonly unknown[] };
}

interface NodeBase {
  /** Field pattern: JSON pointer into the data, array items as `*`. */
  readonly pattern: string;
  readonly name: string;
  readonly label: LocalText;
  readonly hint?: LocalText;
  readonly required: boolean;
  readonly condition?: Condition;
}

/** One question the citizen answers; its widget names its kind (kinds/index.ts). */
export interface LeafNode extends NodeBase {
  readonly kind: 'leaf';
  readonly widget: Widget;
  readonly valueType: 'string' | 'number' | 'integer' | 'boolean' | 'true' | 'array';
  readonly options: ReadonlyArray<{ readonly value: unknown; readonly label: LocalText }>;
  readonly autocomplete?: string;
  readonly maxLength?: number;
  /** A file question (widget `file`, file-questions.ts): what it accepts. */
  readonly file?: FileQuestion;
}

/** What a file question accepts: media types (decided from the content), bytes per file, how many files. */
export interface FileQuestion {
  readonly accept: readonly DocumentMediaType[];
  /** From `ui.fields[…].maxFileBytes`; the installation's ATTACHMENT_MAX_FILE_BYTES caps it further. */
  readonly maxFileBytes?: number;
  /** The schema's `maxItems`. */
  readonly maxFiles: number;
}

/** An object: questions asked together (kinds/group.ts). */
export interface GroupNode extends NodeBase {
  readonly kind: 'group';
  readonly children: readonly FormNode[];
}

/** A list of items the citizen adds and removes (kinds/repeat.ts). */
export interface RepeatNode extends NodeBase {
  readonly kind: 'repeat';
  readonly item: FormNode;
  readonly itemLabel: LocalText;
  readonly minItems: number;
  readonly maxItems: number;
}

export type FormNode = LeafNode | GroupNode | RepeatNode;

export interface FormStep {
  readonly id: string;
  /**
   * `region`: the step that asks for the municipality (routing.regionField); it comes first and
   * alone decides whether anyone accepts the application there. `questions`: every other step.
   */
  readonly kind: 'region' | 'questions';
  readonly title: LocalText;
  readonly description?: LocalText;
  readonly nodes: readonly FormNode[];
}

/** The questions of a form: built once when it loads (question-tree.ts). */
export interface QuestionTree {
  /** The region step comes first; declarations are not in any step (they go on the check page). */
  readonly steps: readonly FormStep[];
  readonly declarations: readonly LeafNode[];
  readonly root: GroupNode;
  /** Where the municipality's ARS is in the data (routing.regionField). */
  readonly regionPattern: string;
  node(pattern: string): FormNode | undefined;
}
