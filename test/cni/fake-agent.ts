/**
 * A stand-in for the node agent's CNI socket: an HTTP server on a unix socket in a temporary directory that records
 * each request and answers as the test says.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

export interface RecordedRequest {
  readonly route: string;
  readonly body: Record<string, unknown>;
}

export type FakeAnswer = { status: number; body: string } | 'hang';

export interface FakeAgent {
  readonly socketPath: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a fake agent; `answer` decides each reply from the request. */
export async function startFakeAgent(answer: (request: RecordedRequest) => FakeAnswer): Promise<FakeAgent> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cni-'));
  const socketPath = path.join(dir, 'cni.sock');
  const requests: RecordedRequest[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => {
      const request = { route: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> };
      requests.push(request);
      const reply = answer(request);
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON reply. */
export function reply(status: number, body: unknown): FakeAnswer {
  return { status, body: JSON.stringify(body) };
}
