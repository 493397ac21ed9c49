import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { csrfOf, type ConsoleFixture } from './console-fixture';

/** What the console tests do as a signed-in operator, on the fixture a test file starts per test. */
export interface ConsoleAgentHelpers {
  /** Signs in through the sign-in form with a token; the agent keeps the session cookie. */
  signIn(this: void, token: string): Promise<TestAgent>;
  /** The CSRF value of a console page the agent can open (the overview unless named). */
  csrfFrom(this: void, agent: TestAgent, page?: string): Promise<string>;
  /** A test delivery the receiver refuses: its job is dead at once (a test is not retried). */
  deadTestJob(this: void, agent: TestAgent, authorityId: string): Promise<{ reference: string; jobId: string }>;
}

/**
 * The helpers over the fixture `current()` returns: a getter, because each test file starts a
 * fresh fixture in beforeEach after these helpers were made.
 */
export function consoleAgentHelpers(current: () => ConsoleFixture): ConsoleAgentHelpers {
  async function signIn(token: string): Promise<TestAgent> {
    const agent = request.agent(current().app);
    const form = await agent.get('/admin/sign-in').expect(200);
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfOf(form.text), token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin');
    return agent;
  }

  async function csrfFrom(agent: TestAgent, page = '/admin'): Promise<string> {
    const res = await agent.get(page).expect(200);
    return csrfOf(res.text);
  }

  async function deadTestJob(agent: TestAgent, authorityId: string): Promise<{ reference: string; jobId: string }> {
    const fixture = current();
    fixture.receiver.respond = () => 500;
    const csrf = await csrfFrom(agent, `/admin/authorities/${authorityId}`);
    const res = await agent.post(`/admin/authorities/${authorityId}/test-delivery`).type('form').send({ _csrf: csrf }).expect(200);
    const reference = /class="con-id">([A-Z0-9-]+)<\/dd>/.exec(res.text)?.[1];
    if (!reference) throw new Error('no reference on the result page');
    const [job] = await fixture.store.deliveries.jobsOf(reference);
    expect(job?.state).toBe('dead');
    fixture.receiver.respond = () => 204;
    return { reference, jobId: job!.id };
  }

  return { signIn, csrfFrom, deadTestJob };
}
