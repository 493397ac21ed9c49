/** One web process the stream sends to; `up` is false while the test has it killed. */
export interface StreamTarget {
  readonly name: string;
  url: string;
  up: boolean;
}

export interface Accepted {
  /** The submission's reference (the 201's `id`), as the payload's header carries it. */
  readonly id: string;
  readonly via: string;
}

export interface SubmissionStream {
  /** Every 201, in the order they arrived. */
  readonly accepted: readonly Accepted[];
  /** Answers that were neither a 201 nor a connection error: `<target>: <status> <body start>`. */
  readonly unexpected: readonly string[];
  sent(): number;
  /** Requests that met a process being killed or not yet back (no answer at all). */
  connectionErrors(): number;
  /** Requests sent to one target that have no answer yet. */
  inFlight(name: string): number;
  /** The 201s one target gave since `since` (an index into `accepted`). */
  acceptedVia(name: string, since?: number): number;
  /** Stops sending and resolves once the requests in flight have their answers. */
  stop(): Promise<void>;
}

/**
 * Sends submissions to the web processes without pause, `concurrency` at a time, taking turns
 * over the targets that are up. A request to a process that is killed under it ends in a
 * connection error: expected, counted, never a 201. Every 201 is kept with its reference.
 */
export function startSubmissionStream(options: {
  readonly targets: readonly StreamTarget[];
  readonly formId: string;
  /** The bodies to send, in turn ({"data": …}). */
  readonly bodies: readonly string[];
  readonly concurrency: number;
  /**
   * Checked before each request: while it says so, the lanes wait (e.g. while the workers have a
   * backlog to work off), so deliveries stay in flight but the backlog at the end stays small.
   */
  readonly waitWhile: (accepted: number) => boolean;
}): SubmissionStream {
  const accepted: Accepted[] = [];
  const unexpected: string[] = [];
  let sent = 0;
  let connectionErrors = 0;
  let stopped = false;
  let turn = 0;
  const inFlight = new Map<string, number>();

  const nextTarget = (): StreamTarget | undefined => {
    for (let i = 0; i < options.targets.length; i += 1) {
      const target = options.targets[(turn + i) % options.targets.length]!;
      if (target.up) {
        turn = (turn + i + 1) % options.targets.length;
        return target;
      }
    }
    return undefined;
  };

  const sendOne = async (target: StreamTarget): Promise<void> => {
    inFlight.set(target.name, (inFlight.get(target.name) ?? 0) + 1);
    try {
      await post(target);
    } finally {
      inFlight.set(target.name, (inFlight.get(target.name) ?? 1) - 1);
    }
  };

  const post = async (target: StreamTarget): Promise<void> => {
    const body = options.bodies[sent % options.bodies.length]!;
    sent += 1;
    let res: Response;
    try {
      res = await fetch(`${target.url}/api/forms/${options.formId}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    } catch {
      connectionErrors += 1;
      return;
    }
    let text: string;
    try {
      text = await res.text();
    } catch {
      // The process died while its answer was being read.
      connectionErrors += 1;
      return;
    }
    if (res.status === 201) accepted.push({ id: (JSON.parse(text) as { id: string }).id, via: target.name });
    else unexpected.push(`${target.name}: ${res.status} ${text.slice(0, 200)}`);
  };

  const lane = async (): Promise<void> => {
    while (!stopped) {
      const target = options.waitWhile(accepted.length) ? undefined : nextTarget();
      // Waits for the workers to catch up, or (never in this test, one web process is killed at
      // a time) for a web process to come back, without spinning.
      if (!target) await new Promise((r) => setTimeout(r, 20));
      else await sendOne(target);
    }
  };
  const lanes = Array.from({ length: options.concurrency }, () => lane());

  return {
    accepted,
    unexpected,
    sent: () => sent,
    connectionErrors: () => connectionErrors,
    inFlight: (name) => inFlight.get(name) ?? 0,
    acceptedVia: (name, since = 0) => accepted.slice(since).filter((a) => a.via === name).length,
    async stop() {
      stopped = true;
      await Promise.all(lanes);
    },
  };
}
