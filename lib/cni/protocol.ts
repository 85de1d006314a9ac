/**
 * What the chained CNI plugin (eks-netpol-cni) and the node agent say to each other: JSON over HTTP on a unix socket.
 * The plugin posts a pod at CNI ADD and waits; the agent answers once the pod's programs are attached and its entries
 * written, so the container runtime starts no container of the pod before the kernel enforces its policies.
 *
 * This file is shared by both sides and, like everything under lib/cni, imports nothing but Node builtins: the plugin
 * is copied onto the node without node_modules.
 */

/** Where the agent listens for the plugin, unless configured otherwise (plugin: `agentSocket`; agent: `--cni-socket`). */
export const DEFAULT_AGENT_SOCKET = '/run/eks-netpol/cni.sock';

/** How long the plugin waits for the agent's answer by default (plugin config `timeoutMs`). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The plugin's type in a network configuration list, and the name of its launcher in the CNI bin directory. */
export const PLUGIN_TYPE = 'eks-netpol-cni';

/** The routes the agent serves, one per CNI command that needs it. */
export const CNI_ROUTES = {
  add: '/v1/cni/add',
  del: '/v1/cni/del',
  check: '/v1/cni/check',
} as const;

/** A pod the plugin announces (ADD) or asks about (CHECK). */
export interface PodAnnouncement {
  readonly namespace: string;
  readonly name: string;
  /** The sandbox's container id (CNI_CONTAINERID): tells a late DEL of an old sandbox from the current one. */
  readonly containerId: string;
  /** The pod's host-side interface (from prevResult), where the programs attach. */
  readonly ifname: string;
  /** The pod's addresses, without prefix length. */
  readonly ips: readonly string[];
  /**
   * How long the plugin will wait for the answer: the agent answers (503) before then rather than leave it hanging.
   *
   * @default - the agent's own limit
   */
  readonly timeoutMs?: number;
}

/** The pod the plugin releases (DEL). */
export interface PodRelease {
  readonly namespace: string;
  readonly name: string;
  readonly containerId: string;
}

/** The agent's answer to every route: `error` says what failed when the status is not 200. */
export interface AgentAnswer {
  readonly admitted?: boolean;
  readonly milliseconds?: number;
  readonly error?: string;
}
