/**
 * Keeps eks-netpol-cni in the node's CNI chain while the agent runs. The conflist belongs to the VPC CNI, and aws-node
 * writes it anew at each start (an upgrade, a crash): without our entry, pods would start without the admission
 * again, silently. The agent watches the directory and puts the entry back, logging each time it had to.
 */
import { ChainOptions, ensureChained } from '../cni/install';
import { DebouncedWatch, watchDebounced } from './debounced-watch';
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
  private watch?: DebouncedWatch;
  private interval?: NodeJS.Timeout;
  /** The last problem logged, so that a lasting one is logged once rather than at every check. */
  private problem?: string;

  constructor(private readonly options: CniChainKeeperOptions) {}

  /** Checks the chain now, then on every change of the directory and every intervalMs. */
  start(): void {
    this.check();
    try {
      // aws-node writes several files in a row: check once it is done. A failing watch leaves the interval's checks.
      this.watch = watchDebounced(this.options.chain.confDir, { delayMs: 200, onError: () => undefined }, () => this.check());
    } catch {
      // The directory is missing: the interval's checks say so and find it once it exists.
    }
    this.interval = setInterval(() => this.check(), this.options.intervalMs ?? 10_000);
    this.interval.unref();
  }

  stop(): void {
    this.watch?.close();
    if (this.interval) clearInterval(this.interval);
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
