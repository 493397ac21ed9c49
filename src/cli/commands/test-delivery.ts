import type { Actor } from '../../operators/operator-access';
import type { TestDeliveryResult } from '../../test-delivery/test-delivery';
import type { CliCommand, CliInput, CliResult } from '../command';
import { failure } from '../failure';
import { COMMON_OPTIONS_HELP } from '../parse-args';
import { authorityArgument, withServerContainer } from '../server-container';

/** The command line acts as the installation admin: it runs with the server's own environment. */
export const CLI_ACTOR: Actor = Object.freeze({ kind: 'admin', id: 'admin' });

/** Exit code of a test delivery the channel did not take. */
const FAILED = 2;

const HELP = `Usage: efa-forms test-delivery <authority-id> [--json]

Sends one test submission over the authority's real channel, as the admin API's
POST /api/admin/authorities/<id>/test-delivery does: signed HTTP (with its client
certificate and encryption key), e-mail to its functional mailbox, or its inbox. The
payload is marked as a test (<test>true</test> in its header, the efa-test HTTP header,
"[TEST]" in the e-mail subject); it is tried once, at once, and never retried, and it is
never counted as a real delivery. The test submission and its job are stored in the
server's database, so the coverage report and GET /api/admin/authorities show the last
successful test.

Run it with the server's environment: the same tenant files and secrets, and its database:
DATABASE_URL of the running server when it uses PostgreSQL (DATA_DIR is then not read), else
DATA_DIR (its SQLite database must exist there). The server may keep running. It
builds the server's parts without listening and without the delivery worker, sends, and
closes them again. The operator audit trail records it as the admin's test-delivery.

Output: one line on stdout: authority, tenant, channel, the test submission's reference
and the outcome with its detail, e.g.
  test delivery to stadt-erfurt-buergeramt (tenant thueringen) over http, reference
  K7QX-P2MD-4: failed (receiver answered HTTP 500)
With --json: {"authorityId", "tenantId", "channel", "reference", "formId", "outcome",
"detail"?, "at"}, as the admin API answers.

Outcomes:
  delivered  the channel took it (HTTP 2xx, or the mail server accepted it)
  queued     an inbox channel: it waits for the authority to fetch it (the fetch counts
             as the successful test)
  failed     the channel did not take it; the detail says why (a status code or error)

${COMMON_OPTIONS_HELP}

Exit codes:
  0  delivered or queued
  1  bad input or configuration: an unknown authority (the known ones are named), no
     database in DATA_DIR (without DATABASE_URL), the PostgreSQL database of DATABASE_URL
     cannot be used, a setting or tenant file the server would refuse (one line each)
  2  failed: the channel did not take the test delivery`;

function outcomeLine(r: TestDeliveryResult): string {
  return `test delivery to ${r.authorityId} (tenant ${r.tenantId}) over ${r.channel}, reference ${r.reference}: ${r.outcome}${r.detail !== undefined ? ` (${r.detail})` : ''}`;
}

async function run(input: CliInput): Promise<CliResult> {
  const found = await authorityArgument('test-delivery', input);
  if ('exitCode' in found) return found;
  const { authority } = found;
  return withServerContainer('test-delivery', input, async (container) => {
    const result = await container.live.current().testDeliveries.send(authority.id, CLI_ACTOR);
    // The authority is in the files, so no result means it has nothing a test could be made for.
    if (!result) return failure(input.json, [`efa-forms test-delivery: authority "${authority.id}" serves no form that is loaded, so there is nothing to send it a test of`]);
    const stdout = input.json ? `${JSON.stringify(result, null, 2)}\n` : `${outcomeLine(result)}\n`;
    return { exitCode: result.outcome === 'failed' ? FAILED : 0, stdout };
  });
}

export const testDeliveryCommand: CliCommand = {
  name: 'test-delivery',
  summary: 'Send a test submission over an authority\'s real channel and print the outcome',
  help: HELP,
  valueOptions: [],
  flags: [],
  run,
};
