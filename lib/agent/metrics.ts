/**
 * The agent's Prometheus metrics, in a registry of its own (never prom-client's global one, so two agents in one
 * process, as in tests, do not collide).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds, from a map write (1 ms) to a large node's first programming (5 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class AgentMetrics {
  readonly registry = new Registry();
  /** Seconds from a desired-state change to the kernel holding it (compile + map writes + attach). */
  readonly programmingSeconds = new Histogram({
    name: 'eks_netpol_programming_duration_seconds',
    help: 'Time to program the node after a change of the desired state (compile, map writes, attach).',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  /** Seconds from a pod's CNI ADD reaching the agent to its programs attached and entries written (lib/cni). */
  readonly admissionSeconds = new Histogram({
    name: 'eks_netpol_admission_duration_seconds',
    help: 'Time the CNI ADD of a pod waits for the agent: until its programs are attached and its entries written.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  /** Entries each data-plane map holds after the last programming. */
  readonly mapEntries = new Gauge({
    name: 'eks_netpol_map_entries',
    help: 'Entries in each eBPF map after the last programming.',
    labelNames: ['map'],
    registers: [this.registry],
  });
  /** Errors by stage (veth, program, source, annotate, cni). */
  readonly errors = new Counter({
    name: 'eks_netpol_errors_total',
    help: 'Errors, by stage: veth (a pod interface not found), program (the kernel refused), source (bad input), annotate, cni (a pod the CNI plugin announced could not be admitted).',
    labelNames: ['stage'],
    registers: [this.registry],
  });
  /** Local pods by state: programmed, or pending (no IP yet, or no veth found). */
  readonly localPods = new Gauge({
    name: 'eks_netpol_local_pods',
    help: 'Pods on this node, by state: programmed, or pending (no IP or no interface yet).',
    labelNames: ['state'],
    registers: [this.registry],
  });
  /** The generation of the desired state last programmed. */
  readonly generation = new Gauge({
    name: 'eks_netpol_programmed_generation',
    help: 'Generation of the desired state the kernel holds.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // Process metrics (RSS, heap, event loop lag) show memory growth at scale.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'eks_netpol_agent_' });
  }
}
