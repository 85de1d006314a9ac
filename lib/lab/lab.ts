/**
 * The kernel lab: builds a namespace per pod identity, enforces the manifests' policies with our eBPF programs,
 * makes real connections for every probe, and compares what the kernel did with what `reach` predicts.
 */
import * as fs from 'fs';
import { ChildProcess } from 'child_process';
import { ClusterState } from '../model/types';
import { builtObjectPath } from '../package-files';
import { Verdict } from '../verdict/evaluate';
import { ProbeQuery, Reachability } from '../verdict/reachability';
import { assignAddresses } from './addresses';
import { Prober, ProbeTarget, startListener } from './agents';
import { Enforcer } from './enforcement';
import { RunRegistry } from './registry';
import { buildTopology, LabHost, LabHostSpec, Topology } from './topology';

/** How much longer the second attempt at a doubtful "not made" waits. */
const CONFIRM_FACTOR = 5;

/** How long a new listener may take to answer its own host. */
const LISTENER_READY_TIMEOUT_MS = 10_000;

/** A probe as predicted and as observed. */
export interface LabVerdict extends Verdict {
  /**
   * true: the connection was made; false: it was not; null: the lab cannot make it: SCTP (no SCTP sockets in this
   * kernel), or a workload probed against itself (replica-to-replica traffic; the lab has one namespace per
   * identity, so such a connection would never cross a veth).
   */
  readonly observed: boolean | null;
}

export interface LabResult {
  readonly probes: readonly LabVerdict[];
  readonly summary: { probes: number; allowed: number; denied: number; mismatches: number };
}

export interface LabOptions {
  readonly query?: ProbeQuery;
  /**
   * Where the compiled programs are.
   *
   * @default - bpf/build/netpol.bpf.o of this package
   */
  readonly objectPath?: string;
  /**
   * How the node treats pods before their policies are programmed.
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  /**
   * How long a probe waits for its connection (or UDP echo) before counting it as not made.
   *
   * @default 1000
   */
  readonly timeoutMs?: number;
}

/** Raised when the lab cannot run here (not root, no bpffs); the CLI exits 2 with its message. */
export class LabUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabUnavailableError';
  }
}

/** Checks that this process can build namespaces and load programs; throws LabUnavailableError otherwise. */
export function assertLabAvailable(): void {
  if (process.platform !== 'linux') throw new LabUnavailableError('the lab needs Linux (network namespaces and eBPF).');
  if (process.getuid?.() !== 0) {
    throw new LabUnavailableError('the lab needs root to create network namespaces and load eBPF programs. Run it with sudo.');
  }
  const mounts = fs.readFileSync('/proc/mounts', 'utf8');
  if (!mounts.split('\n').some((line) => line.split(' ')[1] === '/sys/fs/bpf' && line.split(' ')[2] === 'bpf')) {
    throw new LabUnavailableError('bpffs is not mounted at /sys/fs/bpf. Mount it with: mount -t bpf bpf /sys/fs/bpf');
  }
}

/** One lab session over a fixed set of hosts: build once, then enforce and probe any number of policy sets. */
export class LabSession {
  private readonly registry: RunRegistry;
  private readonly listeners: ChildProcess[] = [];
  /** `destination protocol port` of every listener started. */
  private readonly listening = new Set<string>();
  private topology?: Topology;
  private enforcer?: Enforcer;
  private readonly probers = new Map<string, Prober>();
  private programmed = false;
  private readonly pinDir: string;

  constructor(private readonly options: LabOptions = {}) {
    assertLabAvailable();
    RunRegistry.reapStale();
    const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
    this.registry = new RunRegistry(runId);
    this.pinDir = `/sys/fs/bpf/eks-netpol-lab-${runId}`;
    this.registry.add('pinDirs', this.pinDir);
  }

  /**
   * Enforces `cluster`'s policies and probes. The first call builds the hosts (every probed pod identity and
   * external address); later calls must probe the same hosts and only reprogram the maps.
   */
  async run(input: ClusterState): Promise<LabResult> {
    const query = this.options.query ?? {};
    const externals = [...(query.from ?? []), ...(query.to ?? [])].filter((ref) => !ref.includes('/'));
    const cluster = assignAddresses(input, externals);
    const result = new Reachability(cluster).probe(query);
    const predicted = [...result.verdicts()];
    const topology = this.ensureTopology(cluster, result.sources.map((s) => s.id), result.destinations.map((d) => d.id));
    const byId = new Map(topology.hosts.map((h) => [h.id, h]));

    await this.enforcer!.run({
      objectPath: this.options.objectPath ?? defaultObjectPath(),
      pinDir: this.pinDir,
      cluster,
      pods: topology.hosts.filter((h) => h.kind === 'pod').map((h) => ({ id: h.id, ifname: h.hostInterface, ips: h.ips })),
      mode: this.options.mode ?? 'standard',
      reprogram: this.programmed,
    });
    this.programmed = true;
    await this.ensureListeners(predicted, byId);

    // All sources probe at once; each source's prober makes all its connections at once.
    const bySource = new Map<string, { index: number; target: ProbeTarget }[]>();
    predicted.forEach((v, index) => {
      if (!probeable(v)) return;
      const destination = byId.get(v.to)!;
      const address = destination.ips[0];
      const list = bySource.get(v.from) ?? [];
      list.push({ index, target: { address, port: v.port, protocol: v.protocol } });
      bySource.set(v.from, list);
    });
    const observed: (boolean | null)[] = predicted.map(() => null);
    const timeoutMs = this.options.timeoutMs ?? 1000;
    const probeAll = (groups: Map<string, { index: number; target: ProbeTarget }[]>, timeout: number) =>
      Promise.all([...groups].map(async ([from, list]) => {
        const made = await this.probers.get(from)!.probe(list.map((l) => l.target), timeout);
        list.forEach((l, i) => { observed[l.index] = made[i]; });
      }));
    await probeAll(bySource, timeoutMs);
    // A connection made proves the kernel let it through; one not made may only have been slow (a starved
    // listener, a loaded machine). So every "not made" that contradicts an "allowed" prediction is tried again
    // with a longer wait before it counts: a real drop stays a drop.
    const doubtful = new Map<string, { index: number; target: ProbeTarget }[]>();
    for (const [from, list] of bySource) {
      const again = list.filter((l) => observed[l.index] === false && predicted[l.index].allowed);
      if (again.length > 0) doubtful.set(from, again);
    }
    if (doubtful.size > 0) await probeAll(doubtful, timeoutMs * CONFIRM_FACTOR);

    const probes = predicted.map((v, i) => ({ ...v, observed: observed[i] }));
    const allowed = probes.filter((p) => p.allowed).length;
    const mismatches = probes.filter((p) => p.observed !== null && p.observed !== p.allowed).length;
    return { probes, summary: { probes: probes.length, allowed, denied: probes.length - allowed, mismatches } };
  }

  /** Removes every namespace, link, pin and process the session created. Returns what could not be removed. */
  close(): string[] {
    for (const child of this.listeners) child.kill('SIGKILL');
    for (const prober of this.probers.values()) prober.close();
    this.enforcer?.close();
    return this.registry.cleanUp();
  }

  private ensureTopology(cluster: ClusterState, sources: readonly string[], destinations: readonly string[]): Topology {
    const ids = [...new Set([...sources, ...destinations])].sort();
    if (this.topology) {
      const built = this.topology.hosts.map((h) => h.id).sort();
      if (built.join('\n') !== ids.join('\n')) throw new Error('a lab session probes the same hosts on every run; start a new session for other hosts.');
      return this.topology;
    }
    const pods = new Map(cluster.pods.map((p) => [p.id, p]));
    const specs: LabHostSpec[] = ids.map((id) => {
      const pod = pods.get(id);
      return pod ? { id, kind: 'pod', ips: pod.ips } : { id, kind: 'external', ips: [id] };
    });
    this.topology = buildTopology(this.registry.runId, specs, this.registry);
    this.enforcer = new Enforcer(this.topology);
    this.registry.add('pids', this.enforcer.pid);
    for (const host of this.topology.hosts) {
      const prober = new Prober(host.namespace);
      this.registry.add('pids', prober.pid);
      this.probers.set(host.id, prober);
    }
    return this.topology;
  }

  /** Starts listeners for the probed ports that no earlier run of the session already listens on. */
  private async ensureListeners(predicted: readonly Verdict[], byId: Map<string, LabHost>): Promise<void> {
    const missing = new Map<string, { tcp: number[]; udp: number[] }>();
    for (const v of predicted) {
      const key = `${v.to} ${v.protocol} ${v.port}`;
      if (!probeable(v) || this.listening.has(key)) continue;
      this.listening.add(key);
      const ports = missing.get(v.to) ?? { tcp: [], udp: [] };
      (v.protocol === 'TCP' ? ports.tcp : ports.udp).push(v.port);
      missing.set(v.to, ports);
    }
    await Promise.all([...missing].map(async ([id, ports]) => {
      const host = byId.get(id)!;
      const child = await startListener(host.namespace, ports);
      this.registry.add('pids', child.pid!);
      this.listeners.push(child);
      // A host's traffic to itself never crosses its veth, so it is never enforced: probing it proves the new
      // listener answers (a UDP echo needs the listener process scheduled) before any real probe counts.
      const own = [...ports.tcp.map((port) => ({ port, protocol: 'TCP' as const })), ...ports.udp.map((port) => ({ port, protocol: 'UDP' as const }))]
        .map((p) => ({ ...p, address: host.ips[0] }));
      const made = await this.probers.get(id)!.probe(own, LISTENER_READY_TIMEOUT_MS);
      if (made.includes(false)) throw new Error(`the listener in ${host.namespace} (${id}) does not answer on its own address.`);
    }));
  }
}

/** Can the lab make this connection for real? */
function probeable(v: Verdict): v is Verdict & { protocol: 'TCP' | 'UDP' } {
  if (v.protocol === 'SCTP') return false;
  return v.from !== v.to || v.self;
}

/** The object `make -C bpf` builds, found from the sources or from dist/. */
export function defaultObjectPath(): string {
  const found = builtObjectPath();
  if (found) return found;
  throw new LabUnavailableError('the eBPF object bpf/build/netpol.bpf.o is missing: build it with `npm run build:bpf` (needs clang and libbpf-dev: bash .ci/setup).');
}
