/**
 * The agent's event log: one JSON object a line on a stream (stdout), so a node's log collector can parse it
 * without patterns. Every line has `time` and `event`; the other fields name what the event is about.
 */

/** The events the agent writes. */
export type AgentEventName =
  | 'starting'
  | 'listening'
  | 'probe attached'
  | 'policy programmed'
  | 'pod annotated'
  | 'pod admitted'
  | 'pod released'
  | 'cni chained'
  | 'error'
  | 'stopping';

/** Where events go: a writable stream, or a function (tests). */
export interface EventSink {
  write(line: string): unknown;
}

export class EventLog {
  constructor(private readonly sink: EventSink, private readonly clock: () => Date = () => new Date()) {}

  /** Writes one event line. Fields never override `time` and `event`. */
  emit(event: AgentEventName, fields: Readonly<Record<string, unknown>> = {}): void {
    this.sink.write(`${JSON.stringify({ ...fields, time: this.clock().toISOString(), event })}\n`);
  }

  /** An error with the context needed to act on it (which pod, which file, what stage) and the retry delay. */
  error(stage: string, error: unknown, fields: Readonly<Record<string, unknown>> = {}): void {
    const message = error instanceof Error ? error.message : String(error);
    this.emit('error', { stage, message, ...fields });
  }
}
