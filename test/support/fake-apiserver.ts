/**
 * A Kubernetes API server for tests, speaking what an informer needs for Pods, Namespaces, NetworkPolicies,
 * Services, EndpointSlices and Nodes:
 * list (with the collection's resourceVersion), watch from a resourceVersion (ADDED/MODIFIED/DELETED, BOOKMARK when
 * asked), and "410 Gone" for a resourceVersion older than the last compaction, which makes a client re-list.
 * Also merge-patches of pod annotations, which the agent writes. Plain HTTP on 127.0.0.1.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

type Kind = 'pods' | 'namespaces' | 'networkpolicies' | 'services' | 'endpointslices' | 'nodes';

/* eslint-disable @typescript-eslint/no-explicit-any */
type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: any }; [k: string]: any };

interface Event {
  readonly resourceVersion: number;
  readonly kind: Kind;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
}

const ROUTES: { kind: Kind; pattern: RegExp }[] = [
  { kind: 'pods', pattern: /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods(?:\/([^/]+))?$/ },
  { kind: 'namespaces', pattern: /^\/api\/v1\/namespaces(?:\/([^/]+))?$/ },
  { kind: 'networkpolicies', pattern: /^\/apis\/networking\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?networkpolicies(?:\/([^/]+))?$/ },
  { kind: 'services', pattern: /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?services(?:\/([^/]+))?$/ },
  { kind: 'endpointslices', pattern: /^\/apis\/discovery\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?endpointslices(?:\/([^/]+))?$/ },
  { kind: 'nodes', pattern: /^\/api\/v1\/nodes(?:\/([^/]+))?$/ },
];

/** Kinds without a namespace: their routes capture only the name. */
const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set(['namespaces', 'nodes']);

const LIST_KIND: Record<Kind, [string, string]> = {
  pods: ['v1', 'PodList'],
  namespaces: ['v1', 'NamespaceList'],
  networkpolicies: ['networking.k8s.io/v1', 'NetworkPolicyList'],
  services: ['v1', 'ServiceList'],
  endpointslices: ['discovery.k8s.io/v1', 'EndpointSliceList'],
  nodes: ['v1', 'NodeList'],
};

export class FakeApiServer {
  private server?: http.Server;
  private resourceVersion = 1;
  /** Watch requests from a resourceVersion at or below this get 410 Gone. */
  private compactedThrough = 0;
  private readonly objects = new Map<string, { kind: Kind; object: KubeObject }>();
  private readonly events: Event[] = [];
  private readonly watchers = new Set<{ kind: Kind; response: http.ServerResponse; bookmarks: boolean }>();
  /** Every request, `METHOD path?query`, for assertions. */
  readonly requests: string[] = [];
  /** When set, every request gets this HTTP status (an outage, or an expired token with 401). */
  failWith?: number;

  /** Starts listening on 127.0.0.1; returns the base URL. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.response.destroy();
    this.watchers.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Creates or replaces an object (ADDED or MODIFIED). */
  apply(kind: Kind, object: KubeObject): void {
    const key = keyOf(kind, object);
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    this.record(kind, type, object);
  }

  delete(kind: Kind, namespace: string | undefined, name: string): void {
    const key = `${kind}/${namespace ?? ''}/${name}`;
    const existing = this.objects.get(key);
    if (existing) this.record(kind, 'DELETED', existing.object);
  }

  get(kind: Kind, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(`${kind}/${namespace ?? ''}/${name}`)?.object;
  }

  /** Sends a BOOKMARK with the current resourceVersion to watchers that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const [apiVersion, listKind] = LIST_KIND[w.kind];
      w.response.write(`${JSON.stringify({ type: 'BOOKMARK', object: { apiVersion, kind: listKind.replace(/List$/, ''), metadata: { resourceVersion: String(this.resourceVersion) } } })}\n`);
    }
  }

  /**
   * Forgets history up to now, as etcd compaction does: open watches end with a 410 ERROR event, and watching from
   * any older resourceVersion answers 410, so clients must re-list.
   */
  compact(): void {
    this.compactedThrough = this.resourceVersion;
    for (const w of this.watchers) {
      w.response.end(`${JSON.stringify(goneEvent())}\n`);
    }
    this.watchers.clear();
  }

  /** Ends every open watch without an error, as an API server does at its watch timeout. */
  closeWatches(): void {
    for (const w of this.watchers) w.response.end();
    this.watchers.clear();
  }

  private record(kind: Kind, type: Event['type'], object: KubeObject): void {
    this.resourceVersion += 1;
    const stamped = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.resourceVersion) } };
    const key = keyOf(kind, stamped);
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, { kind, object: stamped });
    const event: Event = { resourceVersion: this.resourceVersion, kind, type, object: stamped };
    this.events.push(event);
    for (const w of this.watchers) {
      if (w.kind === kind) w.response.write(`${JSON.stringify({ type, object: stamped })}\n`);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.failWith) return sendStatus(res, this.failWith, this.failWith === 401 ? 'Unauthorized' : 'ServiceUnavailable');
    const route = ROUTES.map((r) => ({ kind: r.kind, match: r.pattern.exec(url.pathname) })).find((r) => r.match);
    if (!route) return sendStatus(res, 404, 'NotFound');
    const { kind, match } = route as { kind: Kind; match: RegExpExecArray };
    const [namespace, name] = CLUSTER_SCOPED.has(kind) ? [undefined, match[1]] : [match[1], match[2]];

    if (req.method === 'PATCH' && name) return this.patch(req, res, kind, namespace, name);
    if (req.method !== 'GET') return sendStatus(res, 405, 'MethodNotAllowed');
    if (name) {
      const found = this.get(kind, namespace, name);
      return found ? sendJson(res, 200, found) : sendStatus(res, 404, 'NotFound');
    }
    const inScope = (o: KubeObject) => namespace === undefined || o.metadata.namespace === namespace;
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      const from = Number(url.searchParams.get('resourceVersion') || this.resourceVersion);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      // A quiet watch must still answer: clients wait for the headers before they count the watch as open.
      res.flushHeaders();
      if (from <= this.compactedThrough) {
        res.end(`${JSON.stringify(goneEvent())}\n`);
        return;
      }
      for (const e of this.events) {
        if (e.kind === kind && e.resourceVersion > from && inScope(e.object)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
      }
      const watcher = { kind, response: res, bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' };
      this.watchers.add(watcher);
      req.on('close', () => this.watchers.delete(watcher));
      return;
    }
    const items = [...this.objects.values()].filter((o) => o.kind === kind && inScope(o.object)).map((o) => o.object)
      .sort((a, b) => keyOf(kind, a).localeCompare(keyOf(kind, b)));
    const [apiVersion, listKind] = LIST_KIND[kind];
    sendJson(res, 200, { apiVersion, kind: listKind, metadata: { resourceVersion: String(this.resourceVersion) }, items });
  }

  private patch(req: http.IncomingMessage, res: http.ServerResponse, kind: Kind, namespace: string | undefined, name: string): void {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const existing = this.get(kind, namespace, name);
      if (!existing) return sendStatus(res, 404, 'NotFound');
      let patch: any;
      try {
        patch = JSON.parse(body);
      } catch {
        return sendStatus(res, 400, 'BadRequest');
      }
      const merged = mergePatch(existing, patch);
      this.apply(kind, merged);
      sendJson(res, 200, this.get(kind, namespace, name));
    });
  }
}

function keyOf(kind: Kind, object: KubeObject): string {
  return `${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function goneEvent() {
  return { type: 'ERROR', object: { apiVersion: 'v1', kind: 'Status', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendStatus(res: http.ServerResponse, code: number, reason: string): void {
  sendJson(res, code, { apiVersion: 'v1', kind: 'Status', status: 'Failure', message: reason, reason, code });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A kubeconfig that points a client at `server` (a fake API server, plain HTTP) with a bearer token. */
export function fakeKubeconfig(server: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: fake',
    `clusters: [{ name: fake, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]`,
    'users: [{ name: agent, user: { token: test-token } }]',
    'contexts: [{ name: fake, context: { cluster: fake, user: agent } }]', '',
  ].join('\n');
}
