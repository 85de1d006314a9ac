/**
 * The node agent assembled: a source of desired state (manifest files, or the Kubernetes API), the reconciler that
 * programs the kernel, the event log and the HTTP endpoints. Stopping it leaves enforcement in place.
 */
import { builtObjectPath } from '../package-files';
import { ChainOptions } from '../cni/install';
import { CniChainKeeper } from './cni-chain';
import { CniServer } from './cni-server';
import { EventLog, EventSink } from './events';
import { LocalPods, LocalSource } from './local-source';
import { AgentMetrics } from './metrics';
import { Reconciler } from './reconciler';
import { AgentServer } from './server';

/** Where the desired state comes from. */
export type AgentSource =
  | { readonly kind: 'manifests'; readonly directory: string; readonly localPods: LocalPods }
  | { readonly kind: 'kubernetes'; readonly kubeconfig?: string; readonly nodeName: string };

/** Options of startAgent. */
export interface AgentOptions {
  readonly source: AgentSource;
  /**
   * 'strict': traffic of interfaces the maps do not know is dropped.
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  /**
   * The bpffs directory for this node's maps and links.
   *
   * @default '/sys/fs/bpf/eks-netpol'
   */
  readonly pinDir?: string;
  /**
   * The compiled data-plane object.
   *
   * @default - bpf/build/netpol.bpf.o of this package
   */
  readonly objectPath?: string;
  /**
   * Where /healthz, /readyz and /metrics listen.
   *
   * @default { host: '127.0.0.1', port: 9476 }
   */
  readonly listen?: { readonly host: string; readonly port: number };
  /**
   * The unix socket where the chained CNI plugin (eks-netpol-cni) announces each new pod at CNI ADD; the answer comes
   * once the pod is programmed, so its first packet is enforced.
   *
   * @default - no socket (the pods are found by the routes to their IPs only)
   */
  readonly cniSocket?: string;
  /**
   * Keeps eks-netpol-cni in the chain of this CNI configuration directory while the agent runs (aws-node rewrites its
   * conflist at each start, without the plugin). The entry names `cniSocket` and `mode`.
   *
   * @default - the chain is left alone (install-cni put the plugin there)
   */
  readonly cniConfDir?: string;
  /**
   * This node's own addresses (its InternalIPs). Traffic from them to local pods always passes (kubelet probes). In
   * API mode the Node's addresses, when the source knows the Node, and the host IPs of local pods count too.
   *
   * @default - the host IPs the local pods report
   */
  readonly nodeAddresses?: readonly string[];
  /**
   * Where event lines go.
   *
   * @default process.stdout
   */
  readonly events?: EventSink;
}

export const DEFAULT_PIN_DIR = '/sys/fs/bpf/eks-netpol';
export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 9476 } as const;

/** A running agent. */
export interface RunningAgent {
  readonly reconciler: Reconciler;
  readonly metrics: AgentMetrics;
  /** The address the HTTP endpoints are bound to. */
  readonly address: { host: string; port: number };
  /** Stops watching and serving; the kernel keeps enforcing the last programmed state. */
  stop(): Promise<void>;
}

/** The object `make -C bpf` builds, found upwards from this file (sources or dist/). */
export function defaultObjectPath(): string {
  const found = builtObjectPath();
  if (found) return found;
  throw new Error('the eBPF object bpf/build/netpol.bpf.o is missing: build it with `npm run build:bpf`, or pass --object PATH.');
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = new EventLog(options.events ?? process.stdout);
  const metrics = new AgentMetrics();
  const pinDir = options.pinDir ?? DEFAULT_PIN_DIR;
  const objectPath = options.objectPath ?? defaultObjectPath();
  log.emit('starting', { source: options.source.kind, mode: options.mode ?? 'standard', pinDir, objectPath, pid: process.pid });

  let annotate: ((pods: readonly { id: string }[], generation: number) => Promise<void>) | undefined;
  const reconciler = new Reconciler({
    objectPath, pinDir, mode: options.mode, log, metrics,
    nodeName: options.source.kind === 'kubernetes' ? options.source.nodeName : undefined,
    nodeAddresses: options.nodeAddresses,
    onProgrammed: (pods, generation) => annotate?.(pods, generation),
  });
  const server = new AgentServer(metrics, () => reconciler.status());
  const listen = options.listen ?? DEFAULT_LISTEN;
  const address = await server.listen(listen.host, listen.port);
  log.emit('listening', { address: `${address.host}:${address.port}` });
  // Before the source starts: an ADD that arrives while the desired state is being read waits for it.
  let cni: CniServer | undefined;
  if (options.cniSocket !== undefined) {
    cni = new CniServer({ socketPath: options.cniSocket, admitter: reconciler, log, metrics });
    try {
      await cni.listen();
    } catch (error) {
      await server.close();
      throw error;
    }
    log.emit('listening', { cniSocket: options.cniSocket });
  }
  let chain: CniChainKeeper | undefined;
  if (options.cniConfDir !== undefined) {
    const chainOptions: ChainOptions = { confDir: options.cniConfDir, mode: options.mode, agentSocket: options.cniSocket };
    chain = new CniChainKeeper({ chain: chainOptions, log, metrics });
    chain.start();
  }

  let stopSource: () => void | Promise<void>;
  if (options.source.kind === 'manifests') {
    const local = new LocalSource({ directory: options.source.directory, localPods: options.source.localPods, reconciler, log, metrics });
    local.start();
    stopSource = () => local.stop();
  } else {
    // Loaded only in API mode: @kubernetes/client-node is large and ESM-only.
    const { KubernetesSource } = require('./kubernetes-source') as typeof import('./kubernetes-source');
    const kube = new KubernetesSource({ kubeconfig: options.source.kubeconfig, nodeName: options.source.nodeName, reconciler, log, metrics });
    annotate = (pods, generation) => kube.annotate(pods, generation);
    await kube.start();
    stopSource = () => kube.stop();
  }

  return {
    reconciler,
    metrics,
    address,
    stop: async () => {
      log.emit('stopping', { programmedGeneration: reconciler.status().programmedGeneration, enforcement: 'left in place' });
      // First, so that the plugin finds no socket (strict: the kubelet retries) rather than an agent going away.
      // The plugin stays in the chain: strict mode must fail the pods' ADDs while no agent runs.
      chain?.stop();
      await cni?.close();
      await stopSource();
      await reconciler.stop();
      await server.close();
    },
  };
}
