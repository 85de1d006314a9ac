/**
 * The agent's side of eks-netpol-cni: an HTTP server on a unix socket (mode 0600: only root, as the container
 * runtime runs its plugins, may announce pods). At CNI ADD the plugin posts the pod's host-side interface and
 * addresses and waits; the answer comes once the reconciler has attached the programs and written the pod's entries,
 * so the runtime starts the pod's containers with enforcement already in place (no window, even in strict mode).
 *
 * Routes (lib/cni/protocol.ts): add (admit; 200, 400 for a bad announcement, 503 with the reason when programming
 * fails or takes longer than the limit), check (200 when the pod is admitted, admitting it again when this process
 * does not know it), del (the reconciler forgets the pod; a DEL of an older sandbox of the same pod is ignored).
 *
 * Admissions are also kept in a file beside the socket (tmpfs: a reboot clears it with the pods) and announced again
 * when a restarted agent starts serving, before it programs anything: a pod known only from its ADD (not in the
 * desired state, or not yet) keeps its programs across the restart instead of having them detached as departed.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { CNI_ROUTES, PodAnnouncement, PodRelease } from '../cni/protocol';
import { EventLog } from './events';
import { AgentMetrics } from './metrics';

/** What the server needs of the reconciler. */
export interface PodAdmitter {
  /** Resolves once the pod's programs are attached and its entries written; rejects with the reason otherwise. */
  admit(pod: { readonly id: string; readonly ifname: string; readonly ips: readonly string[] }): Promise<void>;
  /** The CNI deleted the pod. */
  forget(id: string): void;
}

/** Options of CniServer. */
export interface CniServerOptions {
  /** The unix socket path (its directory is created). */
  readonly socketPath: string;
  readonly admitter: PodAdmitter;
  readonly log: EventLog;
  readonly metrics: AgentMetrics;
  /**
   * The longest an admission may take before the plugin is answered 503 (the plugin's own, shorter, limit wins).
   *
   * @default 8000
   */
  readonly admitTimeoutMs?: number;
  /**
   * Where admissions are kept across restarts.
   *
   * @default - `admissions.json` beside the socket
   */
  readonly stateFile?: string;
}

/** Raised when the socket cannot be served: another agent holds it, or the path is something else. */
export class CniSocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CniSocketError';
  }
}

/** A pod admitted: which sandbox, on which interface, with which addresses. */
type Admission = Omit<PodAnnouncement, 'timeoutMs'>;

/** An answer: status and JSON body. */
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const MAX_BODY_BYTES = 64 * 1024;
/** Kept from the plugin's deadline, so that our 503 reaches it before it gives up. */
const ANSWER_MARGIN_MS = 250;

export class CniServer {
  private readonly server: http.Server;
  private readonly admissions = new Map<string, Admission>();
  /** Restored admissions not yet confirmed by a programming: CHECK asks the reconciler for these. */
  private readonly restoring = new Set<string>();

  constructor(private readonly options: CniServerOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify(body)}\n`);
      }, (error) => {
        this.options.metrics.errors.inc({ stage: 'cni' });
        this.options.log.error('cni', error, { route: req.url });
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify({ error: (error as Error).message })}\n`);
      });
    });
  }

  /** Listens on the socket: a stale socket file (an agent killed) is replaced, a live one is refused. */
  async listen(): Promise<void> {
    const socketPath = this.options.socketPath;
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
    await removeStaleSocket(socketPath);
    this.restore();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => resolve());
    });
    fs.chmodSync(socketPath, 0o600);
  }

  /** Stops serving; the socket file goes with it, so the plugin sees "no agent" rather than a hang. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: http.IncomingMessage): Promise<Answer> {
    const route = (req.url ?? '').split('?')[0];
    if (!Object.values(CNI_ROUTES).includes(route as never)) {
      return { status: 404, body: { error: `no route ${route}: the routes are ${Object.values(CNI_ROUTES).join(', ')}` } };
    }
    if (req.method !== 'POST') return { status: 405, body: { error: `${req.method} ${route}: only POST` } };
    let text: string;
    try {
      text = await readBody(req);
    } catch (error) {
      return this.badRequest(route, `the body could not be read: ${(error as Error).message}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return this.badRequest(route, `the body is not JSON: ${(error as Error).message}`);
    }
    if (route === CNI_ROUTES.del) {
      const problem = releaseProblem(body);
      return problem ? this.badRequest(route, problem) : this.release(body as PodRelease);
    }
    const problem = announcementProblem(body);
    if (problem) return this.badRequest(route, problem);
    const pod = body as PodAnnouncement;
    if (route === CNI_ROUTES.check) {
      const known = this.admissions.get(podId(pod));
      const confirmed = known && !this.restoring.has(podId(pod)) && known.containerId === pod.containerId && known.ifname === pod.ifname;
      if (confirmed) return { status: 200, body: { admitted: true } };
    }
    return this.admit(pod, route === CNI_ROUTES.add ? 'ADD' : 'CHECK');
  }

  private async admit(pod: PodAnnouncement, command: 'ADD' | 'CHECK'): Promise<Answer> {
    const id = podId(pod);
    const limitMs = Math.max(100, Math.min(this.options.admitTimeoutMs ?? 8000, (pod.timeoutMs ?? Infinity) - ANSWER_MARGIN_MS));
    const started = process.hrtime.bigint();
    const elapsedMs = () => Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.admitter.admit({ id, ifname: pod.ifname, ips: pod.ips }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`pod ${id} was not programmed within ${limitMs} ms`)), limitMs);
        }),
      ]);
    } catch (error) {
      const milliseconds = elapsedMs();
      this.options.metrics.errors.inc({ stage: 'cni' });
      this.options.log.error('cni', error, { command, pod: id, ifname: pod.ifname, ips: pod.ips, containerId: pod.containerId, milliseconds });
      return { status: 503, body: { error: (error as Error).message, milliseconds } };
    } finally {
      clearTimeout(timer);
    }
    const milliseconds = elapsedMs();
    this.admissions.set(id, { namespace: pod.namespace, name: pod.name, containerId: pod.containerId, ifname: pod.ifname, ips: pod.ips });
    this.restoring.delete(id);
    this.save();
    this.options.metrics.admissionSeconds.observe(milliseconds / 1e3);
    this.options.log.emit('pod admitted', { command, pod: id, ifname: pod.ifname, ips: pod.ips, containerId: pod.containerId, milliseconds });
    return { status: 200, body: { admitted: true, milliseconds } };
  }

  private release(pod: PodRelease): Answer {
    const id = podId(pod);
    const known = this.admissions.get(id);
    // A DEL may arrive for a sandbox the pod no longer uses (the runtime replaced it): the current one stays.
    if (known && known.containerId !== pod.containerId) {
      this.options.log.emit('pod released', { pod: id, containerId: pod.containerId, ignored: `the pod's current sandbox is ${known.containerId}` });
      return { status: 200, body: {} };
    }
    this.admissions.delete(id);
    this.save();
    this.options.admitter.forget(id);
    this.options.log.emit('pod released', { pod: id, containerId: pod.containerId });
    return { status: 200, body: {} };
  }

  private get stateFile(): string {
    return this.options.stateFile ?? path.join(path.dirname(this.options.socketPath), 'admissions.json');
  }

  /** Writes the admissions (a temporary file renamed into place: a kill never leaves half a file). */
  private save(): void {
    const temporary = `${this.stateFile}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(temporary, `${JSON.stringify([...this.admissions.values()])}\n`, { mode: 0o600 });
      fs.renameSync(temporary, this.stateFile);
    } catch (error) {
      this.options.metrics.errors.inc({ stage: 'cni' });
      this.options.log.error('cni', error, { stateFile: this.stateFile, action: 'admissions not saved: a restart forgets them until CHECK' });
    }
  }

  /** Announces again what an earlier agent admitted; an admission that no longer holds (its veth gone) is dropped. */
  private restore(): void {
    let saved: unknown;
    try {
      saved = JSON.parse(fs.readFileSync(this.stateFile, 'utf8'));
    } catch {
      return; // No earlier agent on this boot, or nothing readable: nothing to announce.
    }
    if (!Array.isArray(saved)) return;
    for (const entry of saved) {
      if (announcementProblem(entry)) continue;
      const pod = entry as Admission;
      const id = podId(pod);
      this.admissions.set(id, { namespace: pod.namespace, name: pod.name, containerId: pod.containerId, ifname: pod.ifname, ips: pod.ips });
      this.restoring.add(id);
      this.options.admitter.admit({ id, ifname: pod.ifname, ips: pod.ips }).then(
        () => {
          this.restoring.delete(id);
          this.options.log.emit('pod admitted', { command: 'RESTORE', pod: id, ifname: pod.ifname, ips: pod.ips, containerId: pod.containerId });
        },
        (error) => {
          this.restoring.delete(id);
          // Only if no new ADD replaced it meanwhile.
          if (this.admissions.get(id)?.containerId === pod.containerId) {
            this.admissions.delete(id);
            this.save();
          }
          this.options.metrics.errors.inc({ stage: 'cni' });
          this.options.log.error('cni', error, { command: 'RESTORE', pod: id, ifname: pod.ifname, action: 'admission dropped' });
        });
    }
  }

  private badRequest(route: string, reason: string): Answer {
    this.options.metrics.errors.inc({ stage: 'cni' });
    this.options.log.error('cni', reason, { route });
    return { status: 400, body: { error: reason } };
  }
}

function podId(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Linux interface names: at most 15 bytes, no slash, colon or whitespace. */
const IFNAME = /^[^\s/:]{1,15}$/;

/** Why a body is not a PodRelease, or undefined. */
function releaseProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body is not a JSON object';
  const pod = body as Record<string, unknown>;
  if (typeof pod.namespace !== 'string' || !NAMESPACE.test(pod.namespace)) return `"namespace" ${JSON.stringify(pod.namespace)} is not a namespace name`;
  if (typeof pod.name !== 'string' || !POD_NAME.test(pod.name)) return `"name" ${JSON.stringify(pod.name)} is not a pod name`;
  if (typeof pod.containerId !== 'string' || pod.containerId === '' || pod.containerId.length > 256) return '"containerId" must be the CNI_CONTAINERID of the sandbox';
  return undefined;
}

/** Why a body is not a PodAnnouncement, or undefined. */
function announcementProblem(body: unknown): string | undefined {
  const release = releaseProblem(body);
  if (release) return release;
  const pod = body as Record<string, unknown>;
  if (typeof pod.ifname !== 'string' || !IFNAME.test(pod.ifname)) return `"ifname" ${JSON.stringify(pod.ifname)} is not an interface name (1 to 15 characters, no "/", ":" or spaces)`;
  if (!Array.isArray(pod.ips) || pod.ips.length === 0 || pod.ips.length > 16) return '"ips" must list the pod\'s addresses (1 to 16)';
  const bad = pod.ips.find((ip) => typeof ip !== 'string' || net.isIP(ip) === 0);
  if (bad !== undefined) return `"ips" has ${JSON.stringify(bad)}, which is not an IP address (no prefix length)`;
  if (pod.timeoutMs !== undefined && (typeof pod.timeoutMs !== 'number' || !(pod.timeoutMs > 0))) return '"timeoutMs" must be a positive number of milliseconds';
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_BODY_BYTES) {
        reject(new Error(`more than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      }
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Removes a socket file nobody serves; refuses a live one and anything that is not a socket. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new CniSocketError(`${socketPath} exists and is not a socket: remove it, or give another --cni-socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new CniSocketError(`another process serves ${socketPath} (a second agent on this node?): stop it, or give another --cni-socket`);
  fs.rmSync(socketPath, { force: true });
}
