import { loadFormRegistry } from '../../forms/form-registry';
import { explainRoute, describeRollout, describeStep, type RouteExplanation } from '../../routing/explain-route';
import { findPlace } from '../../routing/find-place';
import { loadTenantFiles } from '../../routing/load-tenants';
import { createMunicipalitySearch, type MunicipalityMatch } from '../../routing/municipality-search';
import { buildRoutingTable, type RoutingMatch } from '../../routing/routing-table';
import type { Authority, Municipality, Tenant } from '../../routing/tenant';
import type { CliCommand, CliInput, CliResult } from '../command';
import { failure } from '../failure';
import { COMMON_OPTIONS_HELP } from '../parse-args';


interface ChannelView {
  readonly type: string;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** How the authority receives submissions: names of variables only, never their values. */
function channelOf(authority: Authority): ChannelView {
  const target = authority.delivery;
  const encrypted = authority.encryptionKey !== undefined;
  const sealed = encrypted ? '; payloads encrypted to its public key' : '';
  if (target.type === 'http') {
    const mutualTls = target.clientCertificate !== undefined;
    return {
      type: 'http',
      text: `http: POST to ${target.url} (signed with the secret in ${target.secretEnv}${mutualTls ? ', mutual TLS' : ''})${sealed}`,
      json: { type: 'http', url: target.url, secretEnv: target.secretEnv, mutualTls, encrypted },
    };
  }
  if (target.type === 'email') {
    const to = target.to ?? authority.email;
    return { type: 'email', text: `e-mail to ${to}${sealed}`, json: { type: 'email', to, encrypted } };
  }
  return {
    type: 'inbox',
    text: `inbox: the authority fetches from /api/authority/inbox (API key hash in ${target.apiKeyHashEnv})${sealed}`,
    json: { type: 'inbox', apiKeyHashEnv: target.apiKeyHashEnv, encrypted },
  };
}

const municipalityJson = (m: Municipality, tenant: Tenant) => ({
  ars: m.ars, name: m.name, ...(m.officialName ? { officialName: m.officialName } : {}), tenant: tenant.id, postalCodes: m.postalCodes,
});

function explanationJson(explanation: RouteExplanation) {
  return explanation.steps.map((s) => ({
    prefix: s.prefix, level: s.level, name: s.name ?? null, claimedBy: s.claimedBy?.authority.id ?? null, rollout: s.claimedBy?.rollout ?? null, verdict: s.verdict,
  }));
}

/** What the rollout state means for citizens here: only `live` routes take their applications. */
function rolloutLine(match: RoutingMatch): string {
  const state = describeRollout({ rollout: match.rollout, ...(match.rollout === 'planned' && match.responsibility.plannedFrom !== undefined ? { plannedFrom: match.responsibility.plannedFrom } : {}) });
  if (match.rollout === 'live') return `${state} (citizens are routed here)`;
  if (match.rollout === 'paused') return `${state} (citizens are told it is temporarily not available online and to contact the authority)`;
  return `${state} (citizens are told it is not yet online here)`;
}

function several(input: CliInput, formId: string, place: string, by: string, matches: readonly MunicipalityMatch[]): CliResult {
  if (input.json) {
    const candidates = matches.map(({ municipality, tenant }) => municipalityJson(municipality, tenant));
    return { exitCode: 4, stdout: `${JSON.stringify({ ok: false, form: formId, input: place, foundBy: by, candidates }, null, 2)}\n` };
  }
  const lines = matches.map(({ municipality: m, tenant }) => `  ${m.ars}  ${m.officialName ?? m.name} (${tenant.id})${m.postalCodes.length > 0 ? `, ${m.postalCodes.join(' ')}` : ''}`);
  return { exitCode: 4, stdout: `"${place}" (${by}) names ${matches.length} municipalities; give the ARS of one:\n${lines.join('\n')}\n` };
}

async function run(input: CliInput): Promise<CliResult> {
  const [formId, ...placeWords] = input.args;
  // Unquoted words are one place name: `route hundesteuer-anmeldung Bad Berka`.
  const place = placeWords.join(' ');
  if (formId === undefined || place.trim() === '') return failure(input.json, ['efa-forms route: needs a form id and a place (see efa-forms route --help)']);

  const forms = await loadFormRegistry(input.formsDir);
  if (!forms.get(formId)) return failure(input.json, [`efa-forms route: form "${formId}" is not in ${input.formsDir} (there: ${forms.ids().join(', ')})`]);
  const routing = buildRoutingTable(await loadTenantFiles(input.tenantsDir), new Set(forms.ids()));
  const found = findPlace(createMunicipalitySearch(routing.tenants()), place);
  if (found.kind === 'none') return failure(input.json, [`efa-forms route: ${found.reason}`]);
  if (found.kind === 'several') return several(input, formId, place, found.by, found.matches);

  const ars = found.kind === 'one' ? found.match.municipality.ars : found.ars;
  const where = found.kind === 'one' ? `${found.match.municipality.name} (ARS ${ars}, tenant ${found.match.tenant.id})` : `ARS ${ars} (listed by no tenant; routed by its prefixes)`;
  const match = routing.resolve(formId, ars);
  const explanation = explainRoute(routing.tenants(), formId, ars);
  const channel = match ? channelOf(match.authority) : undefined;
  const exitCode = match ? 0 : 3;

  if (input.json) {
    const document = {
      ok: match !== undefined,
      form: formId,
      input: place,
      foundBy: found.by,
      ars,
      municipality: found.kind === 'one' ? municipalityJson(found.match.municipality, found.match.tenant) : null,
      authority: match ? { id: match.authority.id, name: match.authority.name, email: match.authority.email, tenant: match.tenant.id } : null,
      channel: channel?.json ?? null,
      prefix: match?.prefix ?? null,
      rollout: match?.rollout ?? null,
      plannedFrom: (match?.rollout === 'planned' ? match.responsibility.plannedFrom : undefined) ?? null,
      parameters: match?.parameters ?? null,
      explanation: explanationJson(explanation),
    };
    return { exitCode, stdout: `${JSON.stringify(document, null, 2)}\n` };
  }
  const why = explanation.steps.map((s) => `  ${describeStep(s)}`);
  const head = match && channel
    ? [
      `${formId} in ${where}, found by ${found.by}:`,
      `  authority  ${match.authority.name} (${match.authority.id}, tenant ${match.tenant.id})`,
      `  channel    ${channel.text}`,
      `  prefix     ${match.prefix}`,
      `  rollout    ${rolloutLine(match)}`,
      'Why: the longest prefix of the ARS that an authority claims for this form wins.',
    ]
    : [
      `Nobody is responsible for ${formId} in ${where}, found by ${found.by}:`,
      'no authority claims any prefix of its ARS for this form.',
    ];
  return { exitCode, stdout: `${[...head, ...why].join('\n')}\n` };
}

export const routeCommand: CliCommand = {
  name: 'route',
  summary: 'Who is responsible for a form in a place (ARS, AGS, postal code or name), and why',
  help: `Usage: efa-forms route <form-id> <place> [--forms <dir>] [--tenants <dir>] [--json]

Who is responsible for a form in a place, by the same routing table the server uses:
the authority, its delivery channel, the ARS prefix that matched, the rollout state of
that responsibility (live, planned with its date, testing, paused: only live routes take
citizens' applications), and why: every prefix of the municipality's key from the longest
to the shortest, with the authority that claims it for this form and that claim's state.
The longest claimed prefix wins, whatever its state.

<place> is one of
  an ARS (12 digits)          160700004004
  an AGS (8 digits)           16070004
  a postal code (5 digits)    99310
  a name                      Arnstadt, "Bad Berka", Weissensee (finds Weißensee);
                              * is a wildcard ("Arn*")
A name that is a municipality's whole name names that one; otherwise every
municipality whose name starts so is a candidate.

With --json, stdout holds {"ok", "form", "input", "foundBy", "ars", "municipality",
"authority", "channel", "prefix", "rollout", "plannedFrom", "parameters" (the local
parameters that hold there), "explanation": [{"prefix", "level", "name", "claimedBy",
"rollout", "verdict"}]}; when the place names several municipalities,
{"ok": false, "form", "input", "foundBy", "candidates": [{"ars", "name", "tenant",
"postalCodes"}]}.

${COMMON_OPTIONS_HELP}

Exit codes:
  0  an authority is responsible (whatever the state of its route; see "rollout")
  1  bad input or configuration: an unknown form, a place no tenant lists, a broken file
  3  nobody is responsible for the form there
  4  the place names several municipalities (they are listed; give the ARS of one)`,
  valueOptions: [],
  flags: [],
  run,
};
