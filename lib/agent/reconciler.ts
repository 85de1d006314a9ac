/**
 * The node agent's reconciler: holds the desired state (the cluster and which of its pods run on this node) and
 * makes the kernel hold it, with lib/dataplane's enforce (the first time in this process) and reprogram (diffs).
 *
 * Why there is never an allow window across a restart: enforce() reuses the maps pinned under pinDir and writes
 * only the difference between what they hold and the new state, and links pinned under pinDir keep the programs
 * attached while no process runs. A restarted agent therefore changes nothing until it has read the complete
 * desired state (the sources call update() only then), and then changes only what differs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { detachPinnedLink, BpfMap, MapType } from '../dataplane/binding';
import { EnforceOptions, EnforceResult, EnforcedPod, enforce, reprogram } from '../dataplane/enforce';
import { PROGRAMMED_MAPS } from '../dataplane/encode';
import { ClusterState } from '../model/types';
import { EventLog } from './events';
import { AgentMetrics } from './metrics';
import { hostInterfaceFor } from './veth';
import { nativeBinding } from '../dataplane/native';

/** What the node must enforce. */
export interface DesiredState {
  /** Every pod, namespace and policy of the cluster (remote pods contribute their IPs to peers). */
  readonly cluster: ClusterState;
  /** Ids (`namespace/name`) of the pods running on this node. */
  readonly local: readonly string[];
}

/** A local pod as programmed. */
export interface ProgrammedPod {
  readonly id: string;
  readonly ifname: string;
}

/** Options of Reconciler. */
export interface ReconcilerOptions {
  /** The compiled data-plane object (bpf/build/netpol.bpf.o). */
  readonly objectPath: string;
  /** The bpffs directory holding this node's maps and links. */
  readonly pinDir: string;
  /**
   * 'strict': traffic of interfaces the maps do not know is dropped.
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  readonly log: EventLog;
  readonly metrics: AgentMetrics;
  /**
   * Finds the host-side interface that routes to a pod IP.
   *
   * @default - `ip -j route get <ip>` (hostInterfaceFor)
   */
  readonly findInterface?: (ip: string) => string;
  /**
   * Retry delays after an error: the first, doubled on each failure up to the maximum.
   *
   * @default { initialMs: 250, maxMs: 30000 }
   */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Called after each successful programming with the local pods the kernel now enforces (API mode annotates them).
   *
   * @default - nothing
   */
  readonly onProgrammed?: (pods: readonly ProgrammedPod[], generation: number) => void | Promise<void>;
}

/** What /readyz reports. */
export interface ReconcilerStatus {
  /** True once the desired state is fully in the kernel (every local pod with an IP has its programs attached). */
  readonly ready: boolean;
  /** Generation of the desired state last received, and of the one the kernel holds. */
  readonly desiredGeneration: number;
  readonly programmedGeneration: number;
  /** Why not ready, when not. */
  readonly reason?: string;
}

export class Reconciler {
  private desired?: DesiredState;
  private desiredGeneration = 0;
  private programmedGeneration = 0;
  private enforcedOnce = false;
  private running?: Promise<void>;
  private rerun = false;
  private timer?: NodeJS.Timeout;
  private delayMs: number;
  /** Why the source's latest input was not applied (bad files, a failing watch). */
  private sourceProblem?: string;
  /** Why the last programming did not complete (the kernel refused, a pod without an interface). */
  private programProblem?: string;
  /** Ifnames whose programs this process has reported as attached. */
  private readonly reported = new Set<string>();
  private stopped = false;
  /** Interfaces found per pod IP: asking the kernel for a route is a process spawn, so once per IP is enough. */
  private readonly interfaces = new Map<string, string>();
  /** Resolved each time a programming finishes (tests and benchmarks wait on it). */
  private readonly waiters: Array<{ generation: number; resolve: () => void }> = [];

  constructor(private readonly options: ReconcilerOptions) {
    this.delayMs = this.retryPolicy.initialMs;
  }

  private get retryPolicy(): { initialMs: number; maxMs: number } {
    return this.options.retry ?? { initialMs: 250, maxMs: 30_000 };
  }

  /** Replaces the desired state and programs it soon (changes arriving meanwhile coalesce into one programming). */
  update(state: DesiredState): number {
    this.desired = state;
    this.desiredGeneration += 1;
    this.sourceProblem = undefined;
    this.kick(0);
    return this.desiredGeneration;
  }

  /** Marks the desired state unusable (bad input): the kernel keeps the last good state, readiness says why. */
  invalid(reason: string): void {
    this.sourceProblem = reason;
  }

  /** The source's input is usable again (and unchanged since the last update()). */
  valid(): void {
    this.sourceProblem = undefined;
  }

  status(): ReconcilerStatus {
    const problem = this.sourceProblem ?? this.programProblem;
    const ready = problem === undefined && this.desired !== undefined && this.programmedGeneration === this.desiredGeneration;
    const reason = ready ? undefined : problem ?? (this.desired ? 'programming in progress' : 'the desired state has not been read yet');
    return { ready, desiredGeneration: this.desiredGeneration, programmedGeneration: this.programmedGeneration, ...(reason ? { reason } : {}) };
  }

  /** Resolves once a generation at least `generation` is programmed. */
  programmed(generation: number): Promise<void> {
    if (this.programmedGeneration >= generation) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ generation, resolve }));
  }

  /** Stops retrying; what is in the kernel stays there. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private kick(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) {
        this.rerun = true;
        return;
      }
      this.running = this.reconcile().finally(() => {
        this.running = undefined;
        if (this.rerun) {
          this.rerun = false;
          this.kick(0);
        }
      });
    }, delayMs);
  }

  private async reconcile(): Promise<void> {
    const state = this.desired;
    if (!state) return;
    const generation = this.desiredGeneration;
    const started = process.hrtime.bigint();
    const { pods, pending } = this.resolvePods(state);
    try {
      this.removeDepartedLinks(new Set(pods.map((p) => p.ifname)));
      const options: EnforceOptions = {
        objectPath: this.options.objectPath,
        pinDir: this.options.pinDir,
        cluster: state.cluster,
        pods,
        mode: this.options.mode ?? 'standard',
      };
      const alreadyLinked = new Set(pods.filter((p) => this.linked(p.ifname)).map((p) => p.ifname));
      const result: EnforceResult = this.enforcedOnce ? reprogram(options) : enforce(options);
      this.enforcedOnce = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.metrics.programmingSeconds.observe(seconds);
      for (const pod of pods) {
        if (this.reported.has(pod.ifname)) continue;
        this.reported.add(pod.ifname);
        this.options.log.emit('probe attached', { pod: pod.id, ifname: pod.ifname, adopted: alreadyLinked.has(pod.ifname) });
      }
      for (const problem of result.problems) this.options.log.emit('error', { stage: 'compile', ...problem });
      this.programmedGeneration = Math.max(this.programmedGeneration, generation);
      this.options.metrics.generation.set(this.programmedGeneration);
      this.options.metrics.localPods.set({ state: 'programmed' }, pods.length);
      this.options.metrics.localPods.set({ state: 'pending' }, pending.length);
      this.options.log.emit('policy programmed', {
        generation, pods: pods.length, pending: pending.length, updates: result.updates, deletes: result.deletes,
        milliseconds: Math.round(seconds * 1e6) / 1e3,
      });
      this.release(generation);
      this.countEntries();
      await this.notifyProgrammed(pods.map((p) => ({ id: p.id, ifname: p.ifname })), generation);
      const veth = pending.filter((p) => p.reason);
      if (veth.length > 0) {
        this.programProblem = `${veth.length} local pod(s) without a host interface: ${veth.map((p) => p.id).slice(0, 5).join(', ')}`;
        this.retryLater();
      } else {
        this.programProblem = undefined;
        this.delayMs = this.retryPolicy.initialMs;
      }
    } catch (error) {
      this.options.metrics.errors.inc({ stage: 'program' });
      this.programProblem = `programming failed: ${(error as Error).message}`;
      const retryInMs = this.retryLater();
      this.options.log.error('program', error, { generation, pinDir: this.options.pinDir, objectPath: this.options.objectPath, retryInMs });
    }
  }

  /** The local pods with an interface, and those still pending (no IP yet, or no interface found: logged). */
  private resolvePods(state: DesiredState): { pods: EnforcedPod[]; pending: { id: string; reason?: string }[] } {
    const byId = new Map(state.cluster.pods.map((p) => [p.id, p]));
    const find = this.options.findInterface ?? hostInterfaceFor;
    const pods: EnforcedPod[] = [];
    const pending: { id: string; reason?: string }[] = [];
    const seen = new Set<string>();
    for (const id of [...new Set(state.local)].sort()) {
      const pod = byId.get(id);
      if (!pod || pod.ips.length === 0) {
        // Not scheduled yet or no IP yet: nothing can reach it, so there is nothing to enforce.
        pending.push({ id });
        continue;
      }
      let ifname: string | undefined;
      let failure: unknown;
      for (const ip of pod.ips) {
        try {
          ifname = this.interfaceFor(ip, find);
          break;
        } catch (error) {
          failure = error;
        }
      }
      if (!ifname || seen.has(ifname)) {
        const reason = ifname ? `interface ${ifname} is already another local pod's` : (failure as Error).message;
        this.options.metrics.errors.inc({ stage: 'veth' });
        this.options.log.error('veth', reason, { pod: id, ips: pod.ips, retryInMs: this.delayMs });
        pending.push({ id, reason });
        continue;
      }
      seen.add(ifname);
      pods.push({ id, ifname, ips: pod.ips });
    }
    return { pods, pending };
  }

  /** The interface to a pod IP: the one found before while it still exists, else the route's. */
  private interfaceFor(ip: string, find: (ip: string) => string): string {
    const known = this.interfaces.get(ip);
    if (known !== undefined && interfaceExists(known)) return known;
    this.interfaces.delete(ip);
    const found = find(ip);
    this.interfaces.set(ip, found);
    return found;
  }

  private linkPins(): string[] {
    const dir = path.join(this.options.pinDir, 'links');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }

  private linked(ifname: string): boolean {
    const pins = this.linkPins();
    return pins.includes(`${ifname}-ingress`) && pins.includes(`${ifname}-egress`);
  }

  /**
   * Detaches the links of interfaces that are no longer a local pod's. Their pins would otherwise stop a new pod
   * whose veth reuses the name from being attached (a pin of a deleted interface outlives it).
   */
  private removeDepartedLinks(current: ReadonlySet<string>): void {
    for (const pin of this.linkPins()) {
      const ifname = pin.replace(/-(ingress|egress)$/, '');
      if (current.has(ifname)) continue;
      const pinPath = path.join(this.options.pinDir, 'links', pin);
      try {
        detachPinnedLink(pinPath);
      } catch {
        // The interface is gone, and its link with it: only the pin is left.
        fs.rmSync(pinPath, { force: true });
      }
      this.reported.delete(ifname);
    }
  }

  private countEntries(): void {
    for (const name of PROGRAMMED_MAPS) {
      let map: BpfMap | undefined;
      try {
        map = BpfMap.openPinned(path.join(this.options.pinDir, 'maps', name));
        let count: number;
        if (map.type === MapType.ARRAY && map.maxEntries > 1) {
          count = map.entries().filter(([, value]) => value.some((byte) => byte !== 0)).length;
        } else {
          count = map.dump().count;
        }
        this.options.metrics.mapEntries.set({ map: name }, count);
      } catch {
        // A metric is not worth an error event: the map is read again after the next programming.
      } finally {
        map?.close();
      }
    }
  }

  private release(generation: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].generation <= generation) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  private async notifyProgrammed(pods: readonly ProgrammedPod[], generation: number): Promise<void> {
    if (!this.options.onProgrammed) return;
    try {
      await this.options.onProgrammed(pods, generation);
    } catch (error) {
      this.options.metrics.errors.inc({ stage: 'annotate' });
      this.options.log.error('annotate', error, { generation });
    }
  }

  /** Schedules another attempt; returns the delay. */
  private retryLater(): number {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.retryPolicy.maxMs);
    this.kick(delay);
    return delay;
  }
}

/** Whether an interface of this name exists in this network namespace (a syscall, no process). */
function interfaceExists(ifname: string): boolean {
  try {
    return nativeBinding().ifIndex(ifname) > 0;
  } catch {
    return false;
  }
}
