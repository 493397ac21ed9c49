import type { Language, LocalizedText } from './language';

/**
 * The operator console (src/http/console/, templates/console/): everything an operator reads
 * there, German first, English second. Counts are written "{online} von {total}" so no text needs
 * a singular and a plural.
 */
export const CONSOLE_TEXTS = {
  consoleName: { de: 'Betriebskonsole', en: 'Operator console' },
  skipLink: { de: 'Zum Inhalt springen', en: 'Skip to content' },
  navLabel: { de: 'Bereiche der Konsole', en: 'Sections of the console' },
  languageSwitch: { de: 'English', en: 'Deutsch' },
  languageSwitchHint: { de: 'Switch to English', en: 'Auf Deutsch anzeigen' },
  signedInAs: { de: 'Angemeldet als {actor}', en: 'Signed in as {actor}' },
  installationAdmin: { de: 'Administration der Installation', en: 'installation administrator' },
  operatorOf: { de: '{operator} (Mandant {tenant})', en: '{operator} (tenant {tenant})' },

  navOverview: { de: 'Übersicht', en: 'Overview' },
  navCoverage: { de: 'Abdeckung', en: 'Coverage' },
  navResponsibilities: { de: 'Zuständigkeiten', en: 'Responsibilities' },
  navDeliveries: { de: 'Zustellungen', en: 'Deliveries' },
  navSubmissions: { de: 'Vorgang suchen', en: 'Find a submission' },
  navAudit: { de: 'Protokoll', en: 'Audit trail' },
  navReload: { de: 'Neu laden', en: 'Reload' },

  signInTitle: { de: 'Anmelden', en: 'Sign in' },
  signInIntro: {
    de: 'Melden Sie sich mit dem Zugangsschlüssel an, den Sie für diese Installation oder Ihren Mandanten erhalten haben.',
    en: 'Sign in with the access token you were given for this installation or your tenant.',
  },
  tokenLabel: { de: 'Zugangsschlüssel', en: 'Access token' },
  signInButton: { de: 'Anmelden', en: 'Sign in' },
  signInFailed: {
    de: 'Die Anmeldung ist fehlgeschlagen. Prüfen Sie den Zugangsschlüssel und versuchen Sie es erneut.',
    en: 'Signing in failed. Check the access token and try again.',
  },
  errorSummaryTitle: { de: 'Es gibt ein Problem', en: 'There is a problem' },
  signedOut: { de: 'Sie sind abgemeldet.', en: 'You are signed out.' },
  sessionExpired: {
    de: 'Ihre Sitzung ist abgelaufen oder nicht mehr gültig. Bitte melden Sie sich erneut an.',
    en: 'Your session has expired or is no longer valid. Please sign in again.',
  },
  signOutButton: { de: 'Abmelden', en: 'Sign out' },

  overviewTitle: { de: 'Übersicht', en: 'Overview' },
  overviewIntro: {
    de: 'Die Konsole zeigt den Stand und testet Zustellwege. Geändert wird die Konfiguration in den Mandantendateien (prüfbar in git); danach laden Sie sie hier neu.',
    en: 'The console shows where things stand and tests delivery channels. Configuration is changed in the tenant files (reviewable in git); afterwards you reload it here.',
  },
  overviewDead: { de: 'Endgültig fehlgeschlagene Zustellungen: {count}', en: 'Deliveries that failed for good: {count}' },
  overviewFailed: { de: 'Zustellungen mit Fehlversuch: {count}', en: 'Deliveries with a failed attempt: {count}' },
  overviewUntested: {
    de: 'Live geschaltete Zuständigkeiten ohne je erfolgreiche Zustellung: {count}',
    en: 'Live responsibilities whose authority never had a successful delivery: {count}',
  },

  coverageTitle: { de: 'Online-Abdeckung', en: 'Online coverage' },
  coverageIntro: {
    de: 'Wie viele Gemeinden und Einwohner einen Antrag online stellen können (nur Zuständigkeiten im Zustand „live“), je Antrag und Kreis.',
    en: 'How many municipalities and inhabitants can apply online (only responsibilities in the state “live”), per application and district.',
  },
  coverageItem: { de: '{form}: {tenant}', en: '{form}: {tenant}' },
  coverageCaption: { de: 'Abdeckung nach Kreisen: {form}, {tenant}', en: 'Coverage by district: {form}, {tenant}' },
  coverageState: { de: 'Land gesamt', en: 'Whole state' },
  coverageNotLive: {
    de: 'Noch nicht live: geplant {planned}, im Test {testing}, pausiert {paused} Gemeinden.',
    en: 'Not live yet: planned {planned}, testing {testing}, paused {paused} municipalities.',
  },
  district: { de: 'Kreis', en: 'District' },
  municipalitiesOnline: { de: 'Gemeinden online', en: 'Municipalities online' },
  inhabitantsOnline: { de: 'Einwohner online', en: 'Inhabitants online' },
  complete: { de: 'Flächendeckend', en: 'Complete' },
  missingCount: { de: 'Fehlende Gemeinden', en: 'Missing municipalities' },
  countOf: { de: '{online} von {total}', en: '{online} of {total}' },
  countOfPercent: { de: '{online} von {total} ({percent} %)', en: '{online} of {total} ({percent}%)' },
  yes: { de: 'ja', en: 'yes' },
  no: { de: 'nein', en: 'no' },
  none: { de: 'keine', en: 'none' },
  never: { de: 'noch nie', en: 'never' },
  noItems: { de: 'Es gibt hier nichts anzuzeigen.', en: 'There is nothing to show here.' },

  responsibilitiesTitle: { de: 'Zuständigkeiten und Rollout', en: 'Responsibilities and rollout' },
  responsibilitiesIntro: {
    de: 'Jede Behörde mit ihrem Zustellweg, der letzten echten und der letzten Test-Zustellung und ihren Zuständigkeiten. Markiert sind Zuständigkeiten im Zustand „live“, deren Behörde noch nie erfolgreich beliefert wurde.',
    en: 'Every authority with its channel, its last real and last test delivery, and its responsibilities. Marked are responsibilities in the state “live” whose authority never had a successful delivery.',
  },
  tenantHeading: { de: 'Mandant {tenant}', en: 'Tenant {tenant}' },
  authority: { de: 'Behörde', en: 'Authority' },
  authorityId: { de: 'Kennung', en: 'Id' },
  channel: { de: 'Zustellweg', en: 'Channel' },
  lastReal: { de: 'Letzte echte Zustellung', en: 'Last real delivery' },
  lastTest: { de: 'Letzte erfolgreiche Test-Zustellung', en: 'Last successful test delivery' },
  responsibilitiesCaption: { de: 'Zuständigkeiten von {authority}', en: 'Responsibilities of {authority}' },
  forms: { de: 'Anträge', en: 'Applications' },
  regions: { de: 'Gebiete (ARS)', en: 'Areas (ARS)' },
  rollout: { de: 'Rollout', en: 'Rollout' },
  plannedFrom: { de: 'ab {date}', en: 'from {date}' },
  neverDelivered: { de: 'Live, aber noch nie erfolgreich zugestellt', en: 'Live, but never delivered successfully' },
  authorityDetails: { de: 'Details und Test-Zustellung', en: 'Details and test delivery' },
  authorityDetailsOf: { de: 'Details und Test-Zustellung: {authority}', en: 'Details and test delivery: {authority}' },

  authorityTitle: { de: 'Behörde: {authority}', en: 'Authority: {authority}' },
  tenant: { de: 'Mandant', en: 'Tenant' },
  testDeliveryHeading: { de: 'Test-Zustellung', en: 'Test delivery' },
  testDeliveryIntro: {
    de: 'Sendet einen als Test gekennzeichneten Antrag über den echten Zustellweg dieser Behörde (mit ihren Schlüsseln und Zertifikaten) und zeigt das Ergebnis.',
    en: 'Sends an application marked as a test over this authority’s real channel (with its keys and certificates) and shows the outcome.',
  },
  testDeliveryButton: { de: 'Test-Zustellung senden', en: 'Send a test delivery' },
  testResultTitle: { de: 'Ergebnis der Test-Zustellung', en: 'Outcome of the test delivery' },
  outcome: { de: 'Ergebnis', en: 'Outcome' },
  detail: { de: 'Einzelheiten', en: 'Details' },
  /** Above a channel's own reason for a failure (English, e.g. "receiver answered HTTP 500"), shown as it is. */
  technicalDetail: { de: 'Technische Angabe (englisch)', en: 'Technical detail' },
  testQueuedDetail: {
    de: 'Die Behörde ruft den Test-Antrag über ihr Postfach ab; erst der Abruf zählt als erfolgreicher Test.',
    en: 'The authority fetches the test application from its inbox; only the fetch counts as a successful test.',
  },
  reference: { de: 'Vorgangsnummer', en: 'Reference' },
  form: { de: 'Antrag', en: 'Application' },
  at: { de: 'Zeitpunkt', en: 'Time' },
  showTrail: { de: 'Verlauf dieses Vorgangs', en: 'Trail of this submission' },
  backToAuthority: { de: 'Zurück zur Behörde', en: 'Back to the authority' },

  deliveriesTitle: { de: 'Fehlgeschlagene Zustellungen', en: 'Failed deliveries' },
  deliveriesIntro: {
    de: 'Zustellungen, die endgültig fehlgeschlagen sind („tot“) oder auf den nächsten Versuch warten. Ein erneuter Versuch stellt den Auftrag sofort wieder in die Warteschlange.',
    en: 'Deliveries that failed for good (“dead”) or wait for their next attempt. A retry puts the job back into the queue at once.',
  },
  deadCaption: { de: 'Endgültig fehlgeschlagen', en: 'Failed for good' },
  failedCaption: { de: 'Warten auf den nächsten Versuch', en: 'Waiting for the next attempt' },
  job: { de: 'Auftrag', en: 'Job' },
  attempts: { de: 'Versuche', en: 'Attempts' },
  lastError: { de: 'Letzter Fehler', en: 'Last error' },
  nextAttempt: { de: 'Nächster Versuch', en: 'Next attempt' },
  state: { de: 'Zustand', en: 'State' },
  createdAt: { de: 'Angelegt', en: 'Created' },
  testMark: { de: 'Test', en: 'Test' },
  retryButton: { de: 'Erneut versuchen', en: 'Retry' },
  jobDetails: { de: 'Auftrag {job}', en: 'Job {job}' },
  retried: { de: 'Der Auftrag steht wieder in der Warteschlange.', en: 'The job is back in the queue.' },
  purgedNotRetryable: {
    de: 'Die Angaben zu diesem Antrag wurden nach Ablauf der Aufbewahrungsfrist gelöscht; ohne sie kann der Auftrag nicht mehr zugestellt werden.',
    en: 'The answers of this application were deleted when their retention period ended; without them the job cannot be delivered any more.',
  },
  notRetryableTitle: { de: 'Dieser Auftrag kann nicht erneut versucht werden', en: 'This job cannot be retried' },
  notRetryable: {
    de: 'Nur fehlgeschlagene oder endgültig fehlgeschlagene Aufträge können erneut versucht werden. Der Auftrag ist im Zustand „{state}“.',
    en: 'Only failed or dead jobs can be retried. The job is in the state “{state}”.',
  },
  jobTitle: { de: 'Zustellauftrag', en: 'Delivery job' },

  submissionsTitle: { de: 'Verlauf eines Vorgangs', en: 'Trail of a submission' },
  submissionsIntro: {
    de: 'Zeigt, was mit einem Vorgang geschehen ist: Eingang, Zustellversuche, Abruf. Antworten und andere personenbezogene Daten werden hier nie gezeigt.',
    en: 'Shows what happened to a submission: acceptance, delivery attempts, fetches. Answers and other personal data are never shown here.',
  },
  referenceLabel: { de: 'Vorgangsnummer', en: 'Reference' },
  findButton: { de: 'Anzeigen', en: 'Show' },
  submissionTitle: { de: 'Vorgang {reference}', en: 'Submission {reference}' },
  status: { de: 'Status', en: 'Status' },
  eventsCaption: { de: 'Ereignisse', en: 'Events' },
  event: { de: 'Ereignis', en: 'Event' },
  jobsCaption: { de: 'Zustellaufträge', en: 'Delivery jobs' },
  testSubmission: { de: 'Test-Vorgang (zählt nicht als echter Antrag)', en: 'Test submission (never counted as real)' },

  auditTitle: { de: 'Protokoll der Bedienung', en: 'Operator audit trail' },
  auditIntro: {
    de: 'Wer wann was in der Konsole und der Admin-Schnittstelle getan hat, neueste zuerst (höchstens {limit} Einträge). Das Protokoll enthält keine Schlüssel und keine personenbezogenen Daten.',
    en: 'Who did what and when in the console and the admin API, newest first (at most {limit} entries). It holds no tokens and no personal data.',
  },
  auditCaption: { de: 'Einträge', en: 'Entries' },
  actor: { de: 'Wer', en: 'Who' },
  action: { de: 'Aktion', en: 'Action' },
  target: { de: 'Ziel', en: 'Target' },

  reloadTitle: { de: 'Konfiguration neu laden', en: 'Reload the configuration' },
  reloadIntro: {
    de: 'Liest Anträge und Mandantendateien neu ein. Eine Fassung mit Problemen wird abgelehnt; dann bleibt die laufende Fassung in Betrieb.',
    en: 'Reads the forms and tenant files again. A set with problems is refused; the running set then stays in service.',
  },
  reloadButton: { de: 'Jetzt neu laden', en: 'Reload now' },
  reloadDone: { de: 'Die Konfiguration wurde neu geladen.', en: 'The configuration was reloaded.' },
  reloadRefused: {
    de: 'Das Neuladen wurde abgelehnt. Die laufende Fassung bleibt in Betrieb. Probleme:',
    en: 'The reload was refused. The running set stays in service. Problems:',
  },
  reloadHidden: {
    de: 'Weitere Probleme, die andere Mandanten betreffen: {count}',
    en: 'Further problems concerning other tenants: {count}',
  },

  notFoundTitle: { de: 'Seite nicht gefunden', en: 'Page not found' },
  notFound: {
    de: 'Diese Seite gibt es nicht, oder Sie haben keinen Zugriff darauf. Prüfen Sie die Adresse oder die Kennung.',
    en: 'This page does not exist, or you have no access to it. Check the address or the id.',
  },
  csrfTitle: { de: 'Formular abgelaufen', en: 'Form expired' },
  csrf: {
    de: 'Das Formular ist abgelaufen oder stammt nicht aus dieser Sitzung. Laden Sie die Seite neu und versuchen Sie es erneut.',
    en: 'The form has expired or does not belong to this session. Reload the page and try again.',
  },
  rateLimitedTitle: { de: 'Zu viele Versuche', en: 'Too many attempts' },
  rateLimited: {
    de: 'Es gab zu viele Versuche von Ihrem Anschluss. Bitte warten Sie einige Minuten.',
    en: 'There were too many attempts from your connection. Please wait a few minutes.',
  },
  unavailableTitle: { de: 'Vorübergehend nicht verfügbar', en: 'Temporarily unavailable' },
  unavailable: {
    de: 'Die Datenbank kann gerade nicht geschrieben werden. Bitte versuchen Sie es in einigen Minuten erneut.',
    en: 'The database cannot be written just now. Please try again in a few minutes.',
  },
  errorTitle: { de: 'Es ist ein Fehler aufgetreten', en: 'Something went wrong' },
  error: {
    de: 'Die Anfrage konnte nicht bearbeitet werden. Bitte versuchen Sie es erneut; der Fehler wurde protokolliert.',
    en: 'The request could not be handled. Please try again; the error was logged.',
  },
  badRequestTitle: { de: 'Ungültige Anfrage', en: 'Bad request' },
  badRequest: {
    de: 'Die Anfrage ist ungültig oder zu groß.',
    en: 'The request is invalid or too large.',
  },
  toOverview: { de: 'Zur Übersicht', en: 'To the overview' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

export type ConsoleTextKey = keyof typeof CONSOLE_TEXTS;

/** Rollout states of a responsibility (routing/tenant.ts RolloutState). */
export const CONSOLE_ROLLOUT_LABELS = {
  planned: { de: 'geplant', en: 'planned' },
  testing: { de: 'im Test', en: 'testing' },
  live: { de: 'live', en: 'live' },
  paused: { de: 'pausiert', en: 'paused' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** Delivery job states (storage/ports.ts DeliveryState). */
export const CONSOLE_JOB_STATE_LABELS = {
  pending: { de: 'wartend', en: 'pending' },
  in_flight: { de: 'wird zugestellt', en: 'in flight' },
  delivered: { de: 'zugestellt', en: 'delivered' },
  failed: { de: 'fehlgeschlagen, neuer Versuch folgt', en: 'failed, will be retried' },
  dead: { de: 'endgültig fehlgeschlagen', en: 'failed for good' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** Outcomes of a test delivery (test-delivery/test-delivery.ts). */
export const CONSOLE_TEST_OUTCOME_LABELS = {
  delivered: { de: 'zugestellt', en: 'delivered' },
  failed: { de: 'fehlgeschlagen', en: 'failed' },
  queued: { de: 'liegt im Postfach zum Abruf bereit', en: 'waiting in the inbox to be fetched' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** Submission statuses and events (storage/ports.ts). */
export const CONSOLE_SUBMISSION_LABELS = {
  accepted: { de: 'eingegangen', en: 'accepted' },
  delivered: { de: 'zugestellt', en: 'delivered' },
  acknowledged: { de: 'von der Behörde bestätigt', en: 'acknowledged by the authority' },
  delivery_failed: { de: 'Zustellversuch fehlgeschlagen', en: 'delivery attempt failed' },
  dead: { de: 'Zustellung endgültig fehlgeschlagen', en: 'delivery failed for good' },
  retry_requested: { de: 'erneuter Versuch angefordert', en: 'retry requested' },
  fetched: { de: 'von der Behörde abgerufen', en: 'fetched by the authority' },
  purged: { de: 'personenbezogene Daten gelöscht (Aufbewahrungsfrist)', en: 'personal data deleted (retention)' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** Outcomes in the operator audit trail (storage/ports.ts OperatorAuditEntry). */
export const CONSOLE_AUDIT_OUTCOME_LABELS = {
  ok: { de: 'erfolgreich', en: 'ok' },
  refused: { de: 'abgelehnt', en: 'refused' },
  failed: { de: 'fehlgeschlagen', en: 'failed' },
} as const satisfies Readonly<Record<string, LocalizedText>>;

/** Every console text in one language, for the templates' `t`. */
export function consoleStrings(language: Language): Readonly<Record<ConsoleTextKey, string>> {
  return Object.fromEntries(Object.entries(CONSOLE_TEXTS).map(([key, text]) => [key, text[language]])) as Record<ConsoleTextKey, string>;
}

/** The label of one value of a closed list (a state, an outcome); the value itself when unknown. */
export function consoleLabel(labels: Readonly<Record<string, LocalizedText>>, value: string, language: Language): string {
  return labels[value]?.[language] ?? value;
}
