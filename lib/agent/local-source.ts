/**
 * Local mode's desired state: the manifests in a directory, re-read when a file changes. Files with problems are
 * reported and NOT applied: leaving out a broken policy would open what it denied, so the kernel keeps the last
 * good state until the files are fixed (readiness says why meanwhile).
 */
import { loadManifests } from '../manifests';
import { formatProblem } from '../model/problems';
import { ClusterState } from '../model/types';
import { EventLog } from './events';
import { AgentMetrics } from './metrics';
import { DebouncedWatch, watchDebounced } from './debounced-watch';
import { Reconciler } from './reconciler';
import { StateInterner } from './state-interner';

/** Which pods of the manifests run on this node. */
export type LocalPods = { readonly all: true } | { readonly ids: readonly string[] };

/** Options of LocalSource. */
export interface LocalSourceOptions {
  readonly directory: string;
  readonly localPods: LocalPods;
  readonly reconciler: Reconciler;
  readonly log: EventLog;
  readonly metrics: AgentMetrics;
  /**
   * How long to wait after a change before reading (editors write a file in several steps).
   *
   * @default 100
   */
  readonly debounceMs?: number;
}

export class LocalSource {
  private watch?: DebouncedWatch;
  private last?: string;
  private readonly interner = new StateInterner();

  constructor(private readonly options: LocalSourceOptions) {}

  /** Reads the files once and watches them. */
  start(): void {
    this.read();
    this.watch = watchDebounced(this.options.directory, {
      delayMs: this.options.debounceMs ?? 100,
      recursive: true,
      onError: (error) => {
        this.options.metrics.errors.inc({ stage: 'source' });
        this.options.log.error('source', error, { directory: this.options.directory });
      },
    }, () => this.read());
  }

  stop(): void {
    this.watch?.close();
  }

  /** Reads the directory and hands a valid state to the reconciler. */
  read(): void {
    const { directory, localPods, reconciler, log, metrics } = this.options;
    let cluster: ClusterState;
    try {
      const loaded = loadManifests([directory]);
      if (loaded.problems.length > 0) {
        metrics.errors.inc({ stage: 'source' }, loaded.problems.length);
        for (const problem of loaded.problems) log.emit('error', { stage: 'source', message: formatProblem(problem), action: 'kept the last good state' });
        reconciler.invalid(`${loaded.problems.length} problem(s) in ${directory}; the last good state is enforced`);
        return;
      }
      // Unchanged objects keep their identity, so an edit recompiles only the local pods it concerns.
      cluster = this.interner.intern(loaded.cluster);
    } catch (error) {
      metrics.errors.inc({ stage: 'source' });
      log.error('source', error, { directory, action: 'kept the last good state' });
      reconciler.invalid(`cannot read ${directory}: ${(error as Error).message}`);
      return;
    }
    const local = 'all' in localPods ? cluster.pods.filter((p) => p.ips.length > 0).map((p) => p.id) : localPods.ids;
    for (const id of local) {
      if (!cluster.pods.some((p) => p.id === id)) log.emit('error', { stage: 'source', pod: id, message: `local pod ${id} is not in ${directory}` });
    }
    // An unchanged directory (a touched file, an editor's swap file) does not reprogram.
    const key = fingerprint(cluster, local);
    if (key === this.last) {
      reconciler.valid();
      return;
    }
    this.last = key;
    reconciler.update({ cluster, local });
  }
}

/** A text that changes when the state does (locations excluded: moving a policy between files changes nothing). */
function fingerprint(cluster: ClusterState, local: readonly string[]): string {
  return JSON.stringify({ cluster, local }, (key, value) => (key === 'source' ? undefined : typeof value === 'bigint' ? value.toString() : value));
}
