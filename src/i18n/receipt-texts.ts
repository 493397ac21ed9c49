import type { Language } from './language';

/** The fixed wording of the PDF receipt (src/receipts/), in each language; typed so that no text can be missing. */
export interface ReceiptTexts {
  readonly title: string;
  readonly intro: string;
  readonly reference: string;
  readonly receivedAt: string;
  readonly form: string;
  readonly authority: string;
  /** The fee's label; its value is feeValue. */
  readonly fee: string;
  /** {amount} ("120,00 €") and {purpose} (what the fee is for, from the tenant file). */
  readonly feeValue: string;
  readonly legalBasis: string;
  /** Printed large and light across every page of a test submission's receipt. */
  readonly testWatermark: string;
  /** Under the title of a test submission's receipt. */
  readonly testNotice: string;
  readonly answers: string;
  readonly declarations: string;
  readonly fingerprintTitle: string;
  /** {file} is the name of the embedded XML file. */
  readonly fingerprintText: string;
  /** {n} and {total}: "Seite 1 von 2". */
  readonly pageOf: string;
  /** Shown by PDF readers next to the attached XML file. */
  readonly attachmentDescription: string;
}

export const RECEIPT_TEXTS: Readonly<Record<Language, ReceiptTexts>> = {
  de: {
    title: 'Eingangsbestätigung',
    intro: 'Ihr Antrag ist bei uns eingegangen. Bitte geben Sie bei Rückfragen die Vorgangsnummer an.',
    reference: 'Vorgangsnummer',
    receivedAt: 'Eingegangen am',
    form: 'Antrag',
    authority: 'Zuständige Behörde',
    fee: 'Gebühr',
    feeValue: '{amount} ({purpose})',
    legalBasis: 'Rechtsgrundlage',
    testWatermark: 'TEST',
    testNotice: 'Testeinreichung – nicht bearbeiten',
    answers: 'Ihre Angaben',
    declarations: 'Ihre Erklärungen',
    fingerprintTitle: 'Prüfsumme der übermittelten Daten',
    fingerprintText: 'SHA-256 der XML-Daten, die an die Behörde übermittelt werden. Die Daten sind in dieser PDF-Datei als Anhang {file} enthalten.',
    pageOf: 'Seite {n} von {total}',
    attachmentDescription: 'Antragsdaten, wie sie an die Behörde übermittelt werden (XML)',
  },
  en: {
    title: 'Confirmation of receipt',
    intro: 'We have received your application. Please quote the reference number in any enquiry.',
    reference: 'Reference number',
    receivedAt: 'Received on',
    form: 'Application',
    authority: 'Responsible authority',
    fee: 'Fee',
    feeValue: '{amount} ({purpose})',
    legalBasis: 'Legal basis',
    testWatermark: 'TEST',
    testNotice: 'Test submission – do not process',
    answers: 'Your answers',
    declarations: 'Your declarations',
    fingerprintTitle: 'Checksum of the data sent',
    fingerprintText: 'SHA-256 of the XML data sent to the authority. The data are attached to this PDF file as {file}.',
    pageOf: 'Page {n} of {total}',
    attachmentDescription: 'Application data as sent to the authority (XML)',
  },
};


/**
 * The receipt's file name in downloads and e-mails, the same in every language: ASCII, so that
 * every mail client and browser keeps it as it is.
 */
export function receiptFileName(reference: string): string {
  return `Eingangsbestaetigung-${reference}.pdf`;
}
