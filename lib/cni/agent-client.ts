/**
 * The plugin's side of the wire: one JSON POST to the agent over its unix socket, bounded by a deadline.
 */
import * as http from 'http';
import { AgentAnswer } from './protocol';

/** The agent answered (any status). */
export interface AgentReply {
  readonly status: number;
  readonly answer: AgentAnswer;
}

/** The agent could not be asked: no socket, nobody listening, no answer in time, or an answer that is not JSON. */
export class AgentUnreachableError extends Error {
  constructor(readonly socketPath: string, reason: string) {
    super(`the eks-netpol agent at ${socketPath} did not answer: ${reason}`);
    this.name = 'AgentUnreachableError';
  }
}

/** Posts `body` as JSON to `route` of the agent listening on `socketPath`. */
export function postToAgent(socketPath: string, route: string, body: unknown, timeoutMs: number): Promise<AgentReply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => reject(new AgentUnreachableError(socketPath, reason));
    const request = http.request({
      socketPath,
      path: route,
      method: 'POST',
      // One request per plugin run: no pooled connection that could outlive the agent it was opened to.
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('error', (error) => fail(error.message));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, answer: JSON.parse(text) as AgentAnswer });
        } catch {
          fail(`HTTP ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`);
        }
      });
    });
    // The whole exchange, not only the connection, must fit in the deadline: the runtime is waiting on us.
    const timer = setTimeout(() => {
      request.destroy();
      fail(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ? `${error.code} (${error.message})` : error.message));
    request.end(payload);
  });
}
