/**
 * API mode's desired state: Pods, Namespaces, NetworkPolicies, Services, EndpointSlices and Nodes watched with
 * @kubernetes/client-node informers (list, then watch from the list's resourceVersion; a 410 Gone makes the informer
 * re-list). Services and their EndpointSlices decide what a cluster IP stands for, and Nodes give the node addresses
 * whose traffic to local pods is always allowed. Nothing is programmed until every resource has listed, so a
 * restarted agent never programs a partial cluster.
 *
 * This is the only module that loads @kubernetes/client-node (ESM; required lazily by agent.ts in API mode).
 */
import * as k8s from '@kubernetes/client-node';
import { clusterFromObjects } from '../manifests';
import { StateInterner } from './state-interner';
import { formatProblem } from '../model/problems';
import { EventLog } from './events';
import { AgentMetrics } from './metrics';
import { Reconciler } from './reconciler';

/** The annotation set on each local pod once its policies are in the kernel. */
export const PROGRAMMED_ANNOTATION = 'eks-netpol.io/programmed';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Not re-exported by the package's index; it turns typed models back into the API's JSON.
const { ObjectSerializer } = require('@kubernetes/client-node/dist/serializer.js') as { ObjectSerializer: { serialize(data: unknown, type: string): unknown } };
type RawObject = { apiVersion?: string; kind?: string; metadata?: any; spec?: any; status?: any };

/** Options of KubernetesSource. */
export interface KubernetesSourceOptions {
  /**
   * A kubeconfig file.
   *
   * @default - the in-cluster service account, else $KUBECONFIG or ~/.kube/config
   */
  readonly kubeconfig?: string;
  /** This node's name (spec.nodeName of its pods). */
  readonly nodeName: string;
  readonly reconciler: Reconciler;
  readonly log: EventLog;
  readonly metrics: AgentMetrics;
  /**
   * How long to gather events before rebuilding the state.
   *
   * @default 20
   */
  readonly debounceMs?: number;
}

interface Watched {
  readonly resource: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly informer: k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>;
  synced: boolean;
  /** Set by an error, cleared by a start that went through. */
  failing: boolean;
  /** Errors so far (a start that saw none went through). */
  failures: number;
  restart?: NodeJS.Timeout;
  retryMs: number;
}

export class KubernetesSource {
  private readonly kc = new k8s.KubeConfig();
  private readonly core: k8s.CoreV1Api;
  private readonly watched: Watched[];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastKey?: string;
  private readonly interner = new StateInterner();
  /** Annotation value last written per local pod. */
  private readonly annotated = new Map<string, string>();

  constructor(private readonly options: KubernetesSourceOptions) {
    if (options.kubeconfig) this.kc.loadFromFile(options.kubeconfig);
    else this.kc.loadFromDefault();
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
    const networking = this.kc.makeApiClient(k8s.NetworkingV1Api);
    const discovery = this.kc.makeApiClient(k8s.DiscoveryV1Api);
    // Lists come back as typed models (with renamed fields such as `_from`); watch events come back as raw JSON.
    // Serializing list items keeps one shape (the API's JSON) in the caches.
    const raw = (type: string) => (list: any) => ({ ...list, items: list.items.map((item: any) => ObjectSerializer.serialize(item, type)) });
    const make = (resource: string, apiVersion: string, kind: string, path: string, list: () => Promise<any>): Watched => {
      const watched: Watched = {
        resource, apiVersion, kind, synced: false, failing: false, failures: 0, retryMs: 250,
        // Synced only by a list that succeeded: the informer reports a failed list as an event, not by throwing,
        // and an empty cache taken for the cluster would wipe the node's policies.
        informer: k8s.makeInformer(this.kc, path, () => list().then(raw(`V1${kind}`)).then((result) => {
          watched.synced = true;
          watched.retryMs = 250;
          return result;
        })) as Watched['informer'],
      };
      return watched;
    };
    this.watched = [
      make('pods', 'v1', 'Pod', '/api/v1/pods', () => this.core.listPodForAllNamespaces()),
      make('namespaces', 'v1', 'Namespace', '/api/v1/namespaces', () => this.core.listNamespace()),
      make('networkpolicies', 'networking.k8s.io/v1', 'NetworkPolicy', '/apis/networking.k8s.io/v1/networkpolicies',
        () => networking.listNetworkPolicyForAllNamespaces()),
      make('services', 'v1', 'Service', '/api/v1/services', () => this.core.listServiceForAllNamespaces()),
      make('endpointslices', 'discovery.k8s.io/v1', 'EndpointSlice', '/apis/discovery.k8s.io/v1/endpointslices',
        () => discovery.listEndpointSliceForAllNamespaces()),
      make('nodes', 'v1', 'Node', '/api/v1/nodes', () => this.core.listNode()),
    ];
  }

  /** Starts every informer; failures are retried with backoff (the agent keeps serving /healthz meanwhile). */
  async start(): Promise<void> {
    for (const w of this.watched) {
      for (const event of ['add', 'update', 'delete'] as const) w.informer.on(event, () => this.changed());
      w.informer.on('connect', () => this.changed());
      w.informer.on('error', (error: unknown) => this.failed(w, error));
    }
    this.options.reconciler.invalid('listing Pods, Namespaces, NetworkPolicies, Services, EndpointSlices and Nodes');
    await Promise.all(this.watched.map((w) => this.startInformer(w)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watched) clearTimeout(w.restart);
    await Promise.all(this.watched.map((w) => w.informer.stop()));
  }

  /** Writes the programmed annotation on local pods whose value differs (merge patch: nothing else changes). */
  async annotate(pods: readonly { id: string }[], generation: number): Promise<void> {
    const value = String(generation);
    for (const pod of pods) {
      if (this.annotated.get(pod.id) === value) continue;
      const [namespace, name] = pod.id.split('/');
      await this.core.patchNamespacedPod({ name, namespace, body: { metadata: { annotations: { [PROGRAMMED_ANNOTATION]: value } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      this.annotated.set(pod.id, value);
      this.options.log.emit('pod annotated', { pod: pod.id, [PROGRAMMED_ANNOTATION]: value });
    }
  }

  private async startInformer(w: Watched): Promise<void> {
    const failures = w.failures;
    try {
      // Resolves once the list (when needed) is done and the watch's response has started, or has failed.
      await w.informer.start();
    } catch (error) {
      this.failed(w, error);
    }
    // A failed list or watch is reported through the error callback, not thrown: the count tells.
    if (w.failures === failures) {
      w.failing = false;
      this.changed();
    }
  }

  private failed(w: Watched, error: unknown): void {
    w.failing = true;
    w.failures += 1;
    if (this.stopped || w.restart) return;
    const retryInMs = w.retryMs;
    w.retryMs = Math.min(w.retryMs * 2, 30_000);
    this.options.metrics.errors.inc({ stage: 'source' });
    this.options.log.error('source', describe(error), { resource: w.resource, retryInMs, action: 'kept the last programmed state' });
    this.options.reconciler.invalid(`watching ${w.resource} failed: ${describe(error)}`);
    w.restart = setTimeout(() => {
      w.restart = undefined;
      if (!this.stopped) void this.startInformer(w);
    }, retryInMs);
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.rebuild(), this.options.debounceMs ?? 20);
  }

  /** Builds the desired state from the caches once every resource has listed. */
  private rebuild(): void {
    if (!this.watched.every((w) => w.synced)) return;
    const objects: RawObject[] = [];
    const local: string[] = [];
    for (const w of this.watched) {
      for (const item of w.informer.list() as RawObject[]) {
        const object = { ...item, apiVersion: w.apiVersion, kind: w.kind, metadata: withoutChurn(item.metadata) };
        objects.push(object);
        if (w.kind === 'Pod' && item.spec?.nodeName === this.options.nodeName && !item.spec?.hostNetwork) {
          local.push(`${item.metadata.namespace}/${item.metadata.name}`);
        }
      }
    }
    // Order-independent input: informers list in arrival order.
    objects.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const { cluster: built, problems } = clusterFromObjects(objects);
    // Unchanged objects keep their identity, so a pod event recompiles only the local pods it concerns.
    const cluster = this.interner.intern(built);
    for (const problem of problems) {
      this.options.metrics.errors.inc({ stage: 'source' });
      this.options.log.emit('error', { stage: 'source', message: formatProblem(problem), action: 'object left out' });
    }
    const key = JSON.stringify({ objects, local: local.sort() });
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.options.reconciler.update({ cluster, local });
    }
    const failing = this.watched.filter((w) => w.failing).map((w) => w.resource);
    if (failing.length > 0) this.options.reconciler.invalid(`watching ${failing.join(', ')} fails; the last programmed state is enforced`);
    else this.options.reconciler.valid();
  }
}

/** Metadata without what changes on every write (our own annotation included), so those writes do not reprogram. */
function withoutChurn(metadata: any): any {
  if (!metadata) return metadata;
  const rest = { ...metadata };
  delete rest.resourceVersion;
  delete rest.managedFields;
  delete rest.generation;
  if (rest.annotations && PROGRAMMED_ANNOTATION in rest.annotations) {
    rest.annotations = { ...rest.annotations };
    delete rest.annotations[PROGRAMMED_ANNOTATION];
  }
  return rest;
}

function keyOf(object: RawObject): string {
  return `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error) return `HTTP ${(error as any).code}`;
  return String(error);
}
