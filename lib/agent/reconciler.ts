/**
 * The node agent's reconciler: holds the desired state (the cluster and which of its pods run on this node) and
 * makes the kernel hold it through a NodeDataplane, which recompiles only the local pods a change concerns.
 *
 * Why there is never an allow window across a restart: the NodeDataplane adopts the maps and links pinned under
 * pinDir (links keep the programs attached while no process runs) and writes only the difference between what they
 * hold and the new state. A restarted agent therefore changes nothing until it has read the complete desired state
 * (the sources call update() only then), and then changes only what differs.
 *
 * Why a new pod is enforced before its first packet: the CNI plugin (lib/cni) calls admit() during CNI ADD, before
 * the runtime starts the pod's containers, and ADD returns only once the pod's programs are attached and its entries
 * written.
 */
import { interfaceIndex } from '../dataplane/binding';
import { EnforcedPod } from '../dataplane/enforce';
import { NodeDataplane, SyncResult } from '../dataplane/node-dataplane';
import { podsById } from '../model/pods-by-id';
import { ClusterState } from '../model/types';
import { EventLog } from './events';
import { AgentMetrics } from './metrics';
import { hostInterfaceFor } from './veth';

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

/** A pod the CNI has just wired on this node, before its containers start. */
export interface AdmittedPod {
  /** `namespace/name`. */
  readonly id: string;
  /** The host-side interface of the pod. */
  readonly ifname: string;
  /** The addresses the CNI gave the pod (the API may not report them yet). */
  readonly ips: readonly string[];
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
  /**
   * This node's name: the InternalIPs of the cluster's Node of that name are the node's own addresses, whose traffic
   * to local pods always passes (kubelet probes). The local pods' reported host IPs count too.
   *
   * @default - only the local pods' host IPs and `nodeAddresses`
   */
  readonly nodeName?: string;
  /**
   * This node's own addresses, given explicitly.
   *
   * @default - none
   */
  readonly nodeAddresses?: readonly string[];
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

/** An admit() waiting for the programming that covers its pod. */
interface Admission {
  readonly pod: AdmittedPod;
  readonly generation: number;
  resolve(): void;
  reject(error: Error): void;
}

export class Reconciler {
  private desired?: DesiredState;
  private desiredGeneration = 0;
  private programmedGeneration = 0;
  private dataplane?: NodeDataplane;
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
  /** Pods the CNI announced, by id: their interface and addresses are known before the cluster state has them. */
  private readonly announced = new Map<string, AdmittedPod>();
  private readonly admissions: Admission[] = [];
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
    this.sourceProblem = undefined;
    return this.bump();
  }

  /**
   * Programs a pod the CNI has just wired: resolves once its programs are attached and its entries written. A pod of
   * the desired state gets its policies; a pod the state does not know yet is default deny in strict mode and open
   * in standard mode until it does. Waits for the desired state to be read first (a restarted agent must not program
   * a partial cluster). Rejects with the reason when programming fails.
   */
  admit(pod: AdmittedPod): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the agent is stopping'));
    this.announced.set(pod.id, pod);
    // The CNI just created this interface: what is known of an earlier one of the same name no longer holds.
    for (const ip of pod.ips) this.interfaces.delete(ip);
    const generation = this.bump();
    return new Promise((resolve, reject) => this.admissions.push({ pod, generation, resolve, reject }));
  }

  /** The CNI deleted the pod: its announcement is dropped (its links are detached at the next programming). */
  forget(id: string): void {
    if (this.announced.delete(id)) this.bump();
  }

  /** Whether a pod's programs are attached by this process (CNI CHECK). */
  isAdmitted(id: string): boolean {
    const pod = this.announced.get(id);
    return pod !== undefined && this.reported.has(pod.ifname);
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
    for (const admission of this.admissions.splice(0)) admission.reject(new Error('the agent is stopping'));
    this.dataplane?.close();
    this.dataplane = undefined;
  }

  private bump(): number {
    this.desiredGeneration += 1;
    this.kick(0);
    return this.desiredGeneration;
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
    const { pods, attachOnly, pending } = this.resolvePods(state);
    try {
      const firstSync = !this.dataplane;
      this.dataplane ??= NodeDataplane.open({ objectPath: this.options.objectPath, pinDir: this.options.pinDir, mode: this.options.mode ?? 'standard' });
      const result = this.dataplane.sync(state.cluster, pods, attachOnly.map((p) => p.ifname), {
        nodeName: this.options.nodeName, addresses: this.options.nodeAddresses,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.metrics.programmingSeconds.observe(seconds);
      this.reportAttached([...pods, ...attachOnly], result, firstSync);
      for (const problem of result.problems) this.options.log.emit('error', { stage: 'compile', ...problem });
      this.programmedGeneration = Math.max(this.programmedGeneration, generation);
      this.options.metrics.generation.set(this.programmedGeneration);
      this.options.metrics.localPods.set({ state: 'programmed' }, pods.length);
      this.options.metrics.localPods.set({ state: 'pending' }, pending.length);
      this.options.log.emit('policy programmed', {
        generation, pods: pods.length, pending: pending.length, recompiled: result.recompiled.length,
        updates: result.updates, deletes: result.deletes, evicted: result.evicted,
        milliseconds: Math.round(seconds * 1e6) / 1e3,
      });
      this.release(generation);
      this.settleAdmissions(generation, new Set([...pods, ...attachOnly].map((p) => p.id)), pending);
      for (const [map, count] of Object.entries(this.dataplane.entryCounts())) this.options.metrics.mapEntries.set({ map }, count);
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
      // The kernel may hold part of the writes: the next attempt adopts what the maps really hold.
      this.dataplane?.close();
      this.dataplane = undefined;
      this.options.metrics.errors.inc({ stage: 'program' });
      this.programProblem = `programming failed: ${(error as Error).message}`;
      this.failAdmissions(generation, this.programProblem);
      const retryInMs = this.retryLater();
      this.options.log.error('program', error, { generation, pinDir: this.options.pinDir, objectPath: this.options.objectPath, retryInMs });
    }
  }

  /** Logs each interface this process has not reported yet: attached now, or adopted from an earlier process. */
  private reportAttached(pods: readonly { id: string; ifname: string }[], result: SyncResult, firstSync: boolean): void {
    for (const ifname of result.detached) this.reported.delete(ifname);
    const attached = new Set(result.attached);
    for (const pod of pods) {
      if (this.reported.has(pod.ifname)) continue;
      this.reported.add(pod.ifname);
      this.options.log.emit('probe attached', { pod: pod.id, ifname: pod.ifname, adopted: firstSync && !attached.has(pod.ifname) });
    }
  }

  /**
   * The local pods with an interface; announced pods the cluster does not know yet (attached without entries); and
   * the pods still pending (no IP yet, or no interface found: logged).
   */
  private resolvePods(state: DesiredState): { pods: EnforcedPod[]; attachOnly: AdmittedPod[]; pending: { id: string; reason?: string }[] } {
    const byId = podsById(state.cluster.pods);
    const find = this.options.findInterface ?? hostInterfaceFor;
    const pods: EnforcedPod[] = [];
    const pending: { id: string; reason?: string }[] = [];
    const seen = new Set<string>();
    const attachOnly = [...this.announced.values()].filter((p) => !byId.has(p.id)).sort((a, b) => a.id.localeCompare(b.id));
    for (const pod of attachOnly) seen.add(pod.ifname);
    const ids = new Set([...state.local, ...[...this.announced.keys()].filter((id) => byId.has(id))]);
    for (const id of [...ids].sort()) {
      const pod = byId.get(id);
      const announced = this.announced.get(id);
      const ips = pod && pod.ips.length > 0 ? pod.ips : announced?.ips ?? [];
      if (!pod || ips.length === 0) {
        // Not scheduled yet or no IP yet: nothing can reach it, so there is nothing to enforce.
        pending.push({ id });
        continue;
      }
      let ifname = announced?.ifname;
      let failure: unknown;
      for (const ip of ifname ? [] : ips) {
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
        this.options.log.error('veth', reason, { pod: id, ips, retryInMs: this.delayMs });
        pending.push({ id, reason });
        continue;
      }
      seen.add(ifname);
      pods.push({ id, ifname, ips });
    }
    return { pods, attachOnly, pending };
  }

  /** The interface to a pod IP: the one found before while it still exists, else the route's. */
  private interfaceFor(ip: string, find: (ip: string) => string): string {
    const known = this.interfaces.get(ip);
    if (known !== undefined && interfaceIndex(known) > 0) return known;
    this.interfaces.delete(ip);
    const found = find(ip);
    this.interfaces.set(ip, found);
    return found;
  }

  private release(generation: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].generation <= generation) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  /** Answers the admissions this programming covered: resolved when their pod is enforced, else rejected with why. */
  private settleAdmissions(generation: number, enforced: ReadonlySet<string>, pending: readonly { id: string; reason?: string }[]): void {
    for (let i = this.admissions.length - 1; i >= 0; i--) {
      const admission = this.admissions[i];
      if (admission.generation > generation) continue;
      this.admissions.splice(i, 1);
      if (enforced.has(admission.pod.id)) {
        admission.resolve();
      } else {
        const why = pending.find((p) => p.id === admission.pod.id)?.reason ?? 'it is no longer announced';
        admission.reject(new Error(`pod ${admission.pod.id} on ${admission.pod.ifname} is not enforced: ${why}`));
      }
    }
  }

  private failAdmissions(generation: number, reason: string): void {
    for (let i = this.admissions.length - 1; i >= 0; i--) {
      if (this.admissions[i].generation > generation) continue;
      this.admissions[i].reject(new Error(reason));
      this.admissions.splice(i, 1);
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
