import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fittingAnswers } from '../../src/drafts/fitting-answers';
import { compileForm } from '../../src/forms/form-registry';
import { example, SAMPLE_FORMS } from '../support/test-setup';

/** Which answers of a draft survive a changed form (drafts/fitting-answers.ts), on the real dog-tax form. */
const FORM = 'hundesteuer-anmeldung';
const file = path.join(SAMPLE_FORMS, FORM, 'form.json');
const form = compileForm(file, JSON.parse(readFileSync(file, 'utf8')), FORM);

describe('fittingAnswers', () => {
  test('keeps a complete valid draft as it is', () => {
    const answers = example(FORM, 'valid-1');
    expect(fittingAnswers(form, answers)).toEqual({ data: answers, dropped: [], removedQuestions: false });
  });

  test('leaves out answers of the wrong type or outside the options, and those of questions no longer asked', () => {
    const answers = example(FORM, 'valid-1') as { halter: Record<string, unknown>; hunde: Array<Record<string, unknown>> };
    const changed = {
      ...answers,
      halter: { ...answers.halter, anrede: 'divers', vorname: 42, nichtMehrGefragt: 'x' },
      hunde: [{ ...answers.hunde[0], kampfhund: 'nein' }, answers.hunde[1]],
      sepaLastschrift: 'ja',
    };
    const { data, dropped, removedQuestions } = fittingAnswers(form, changed);
    expect([...dropped].sort()).toEqual(['/halter/anrede', '/halter/vorname', '/hunde/*/kampfhund', '/sepaLastschrift']);
    expect(removedQuestions).toBe(true);
    expect(data.halter).not.toHaveProperty('anrede');
    expect(data.halter).not.toHaveProperty('nichtMehrGefragt');
    expect((data.halter as Record<string, unknown>).nachname).toBe(answers.halter.nachname);
    expect((data.hunde as unknown[])).toHaveLength(2);
    expect((data.hunde as Array<Record<string, unknown>>)[0]).not.toHaveProperty('kampfhund');
    expect((data.hunde as Array<Record<string, unknown>>)[0]!.name).toBe('Bello');
  });

  test('keeps text that breaks a pattern: it is what the citizen typed, shown with its error on its step', () => {
    const answers = example(FORM, 'valid-1') as { halter: Record<string, unknown> };
    const typed = { ...answers, halter: { ...answers.halter, email: 'not an e-mail address' } };
    expect(fittingAnswers(form, typed).dropped).toEqual([]);
  });
});
