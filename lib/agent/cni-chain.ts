/**
 * Keeps eks-netpol-cni in the node's CNI chain while the agent runs. The conflist belongs to the VPC CNI, and aws-node
 * writes it anew at each start (an upgrade, a crash): without our entry, pods would start without the admission
 * again, silently. The agent watches the directory and puts the entry back, logging each time it had to.
 */
import * as fs from 'fs';
import { ChainOptions, ensureChained } from '../cni/install';
import { EventLog } from './events';
import { AgentMetrics } from './metrics';

/** Options of CniChainKeeper. */
export interface CniChainKeeperOptions {
  readonly chain: ChainOptions;
  readonly log: EventLog;
  readonly metrics: AgentMetrics;
  /**
   * How often the chain is checked besides the directory's change events (which a hostPath may not deliver).
   *
   * @default 10000
   */
  readonly intervalMs?: number;
}

export class CniChainKeeper {
  private watcher?: fs.FSWatcher;
  private interval?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  /** The last problem logged, so that a lasting one is logged once rather than at every check. */
  private problem?: string;

  constructor(private readonly options: CniChainKeeperOptions) {}

  /** Checks the chain now, then on every change of the directory and every intervalMs. */
  start(): void {
    this.check();
    try {
      this.watcher = fs.watch(this.options.chain.confDir, () => {
        if (this.debounce) clearTimeout(this.debounce);
        // aws-node writes several files in a row: check once it is done.
        this.debounce = setTimeout(() => this.check(), 200);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // The directory is missing: the interval's checks say so and find it once it exists.
    }
    this.interval = setInterval(() => this.check(), this.options.intervalMs ?? 10_000);
    this.interval.unref();
  }

  stop(): void {
    this.watcher?.close();
    if (this.interval) clearInterval(this.interval);
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Puts the entry back if it is missing or differs. */
  check(): void {
    try {
      const result = ensureChained(this.options.chain);
      this.problem = undefined;
      if (result.changed) this.options.log.emit('cni chained', { conflist: result.conflist, mode: this.options.chain.mode ?? 'standard' });
    } catch (error) {
      const message = (error as Error).message;
      if (message === this.problem) return;
      this.problem = message;
      this.options.metrics.errors.inc({ stage: 'cni' });
      this.options.log.error('cni', error, { confDir: this.options.chain.confDir, retryInMs: this.options.intervalMs ?? 10_000 });
    }
  }
}
