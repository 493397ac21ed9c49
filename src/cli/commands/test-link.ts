import { TEST_LINK_DEFAULT_DAYS, TEST_LINK_MAX_DAYS } from '../../test-delivery/test-links';
import type { CliCommand, CliInput, CliResult } from '../command';
import { failure } from '../failure';
import { COMMON_OPTIONS_HELP } from '../parse-args';
import { authorityArgument, withServerContainer } from '../server-container';
import { CLI_ACTOR } from './test-delivery';

const HELP = `Usage: efa-forms test-link <authority-id> [--form <id>] [--days <n>] [--json]

Issues a tester's link for an authority, as the admin API's
POST /api/admin/authorities/<id>/test-links does: whoever opens it fills in the real pages
of the form, may be routed to the authority's "testing" responsibilities, and every
submission made with it is a test (marked in payload, receipt and e-mail, never counted as
real). Hand it to the authority's testers through a safe channel: the link is the key, and
it is shown only now (the database keeps only its SHA-256).

Run it with the server's environment: its database (DATABASE_URL of the running server when
it uses PostgreSQL, else DATA_DIR, whose SQLite database must exist there) and
PUBLIC_BASE_URL for the link's address.

Options:
  --form <id>   the form to test (one the authority serves; default: the first of them
                in alphabetical order)
  --days <n>    how long the link works, in whole days from 1 to ${TEST_LINK_MAX_DAYS} (default ${TEST_LINK_DEFAULT_DAYS})

Output: the link on the first line of stdout (PUBLIC_BASE_URL + /test-access/<token>; only
the path, with a note on stderr, when PUBLIC_BASE_URL is empty), then its expiry, authority,
tenant and form. With --json: {"url", "authorityId", "tenantId", "formId", "expiresAt"}, as
the admin API answers.

${COMMON_OPTIONS_HELP}

Exit codes:
  0  the link was issued
  1  bad input or configuration: an unknown authority (the known ones are named), a form
     it does not serve, --days out of range, no database in DATA_DIR (without DATABASE_URL),
     the PostgreSQL database of DATABASE_URL cannot be used, a setting or tenant file the
     server would refuse (one line each)`;

/** --days as a whole number of days, or the line refusing it. */
function daysOf(value: string | true | undefined): number | undefined | { readonly problem: string } {
  if (value === undefined) return undefined;
  const days = typeof value === 'string' && /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(days >= 1 && days <= TEST_LINK_MAX_DAYS)) {
    return { problem: `efa-forms test-link: --days must be a whole number of days from 1 to ${TEST_LINK_MAX_DAYS}, not "${String(value)}"` };
  }
  return days;
}

async function run(input: CliInput): Promise<CliResult> {
  const days = daysOf(input.options.days);
  if (typeof days === 'object') return failure(input.json, [days.problem]);
  const form = input.options.form;
  if (form === true) return failure(input.json, ['efa-forms test-link: --form needs a value (see efa-forms test-link --help)']);
  const found = await authorityArgument('test-link', input);
  if ('exitCode' in found) return found;
  const { authority } = found;
  const served = [...new Set(authority.serves.flatMap((s) => s.forms))].sort();
  if (form !== undefined && !served.includes(form)) {
    return failure(input.json, [`efa-forms test-link: authority "${authority.id}" does not serve form "${form}" (it serves: ${served.join(', ') || 'none'})`]);
  }
  return withServerContainer('test-link', input, async (container, config) => {
    const issued = await container.live.current().testLinks.issue({
      authorityId: authority.id, ...(form !== undefined ? { formId: form } : {}), ...(days !== undefined ? { validDays: days } : {}),
    }, CLI_ACTOR);
    // Checked above against the same files; a refusal here means they changed in between.
    if ('refused' in issued) return failure(input.json, [`efa-forms test-link: refused (${issued.refused}) for authority "${authority.id}"`]);
    const url = `${config.publicBaseUrl}${issued.path}`;
    const view = { url, authorityId: issued.authorityId, tenantId: issued.tenantId, formId: issued.formId, expiresAt: issued.expiresAt.toISOString() };
    const notes = config.publicBaseUrl === '' ? ['test-link: PUBLIC_BASE_URL is not set, so this is only the path: put the server\'s public address in front of it'] : [];
    const stdout = input.json
      ? `${JSON.stringify(view, null, 2)}\n`
      : `${url}\nexpires ${view.expiresAt} (authority ${view.authorityId}, tenant ${view.tenantId}, form ${view.formId})\n`;
    return { exitCode: 0, stdout, notes };
  });
}

export const testLinkCommand: CliCommand = {
  name: 'test-link',
  summary: 'Issue a tester\'s link for an authority\'s form (its testing route; every submission a test)',
  help: HELP,
  valueOptions: ['form', 'days'],
  flags: [],
  run,
};
