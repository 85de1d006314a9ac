/**
 * The agent's HTTP endpoints: /healthz (the process serves requests), /readyz (the desired state is in the kernel;
 * 503 with the reason otherwise) and /metrics (Prometheus text format).
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { AgentMetrics } from './metrics';
import { ReconcilerStatus } from './reconciler';

/** Parses `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  return port <= 65535 ? { host: match[1] ?? match[2], port } : undefined;
}

export class AgentServer {
  private readonly server: http.Server;

  constructor(private readonly metrics: AgentMetrics, private readonly status: () => ReconcilerStatus) {
    this.server = http.createServer((req, res) => {
      this.handle(req.url ?? '/').then(({ code, type, body }) => {
        res.writeHead(code, { 'Content-Type': type });
        res.end(body);
      }, (error) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`${(error as Error).message}\n`);
      });
    });
  }

  /** Listens; resolves with the bound address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(url: string): Promise<{ code: number; type: string; body: string }> {
    const route = url.split('?')[0];
    if (route === '/healthz') return { code: 200, type: 'text/plain', body: 'ok\n' };
    if (route === '/readyz') {
      const status = this.status();
      return { code: status.ready ? 200 : 503, type: 'application/json', body: `${JSON.stringify(status)}\n` };
    }
    if (route === '/metrics') return { code: 200, type: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
    return { code: 404, type: 'text/plain', body: 'not found: try /healthz, /readyz or /metrics\n' };
  }
}
