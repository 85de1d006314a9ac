/**
 * Reading what the container runtime hands the plugin: the network configuration on stdin (with `prevResult`, the
 * result of the plugins before it in the chain) and the CNI_* environment. Every problem becomes a {@link CniError}
 * whose message names the field and the fix, printed in the CNI error format.
 */
import { isIP } from 'net';
import { DEFAULT_AGENT_SOCKET, DEFAULT_TIMEOUT_MS } from './protocol';

/** The CNI versions this plugin speaks (their results have the same shape as far as it reads them). */
export const SUPPORTED_VERSIONS: readonly string[] = ['0.4.0', '1.0.0'];

/** Error codes of the CNI specification, and ours (100 and up are the plugin's own). */
export const CNI_CODES = {
  incompatibleVersion: 1,
  invalidEnvironment: 4,
  decodeFailure: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  agentRefused: 100,
} as const;

/** An error the runtime receives as `{cniVersion, code, msg, details}` on stdout, with exit status 1. */
export class CniError extends Error {
  constructor(readonly code: number, readonly msg: string, readonly details?: string) {
    super(msg);
    this.name = 'CniError';
  }
}

/** The plugin's configuration, its own keys validated and defaulted. */
export interface PluginConfig {
  readonly cniVersion: string;
  /** The network's name (the conflist's `name`). */
  readonly name: string;
  /** strict: no pod starts unless the agent admitted it; standard: an unreachable agent is a warning. */
  readonly mode: 'standard' | 'strict';
  readonly agentSocket: string;
  readonly timeoutMs: number;
  /** The result of the previous plugins, untouched (printed back at ADD). */
  readonly prevResult?: Record<string, unknown>;
}

/** The CNI_* environment. */
export interface CniEnvironment {
  readonly command: string;
  readonly containerId: string;
  readonly netns: string;
  readonly ifname: string;
  /** K8S_POD_NAMESPACE and K8S_POD_NAME of CNI_ARGS, when the runtime is the kubelet's. */
  readonly pod?: { readonly namespace: string; readonly name: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/** The CNI_* variables; `required` lists those the command needs. */
export function readEnvironment(env: Env, required: readonly ('CNI_CONTAINERID' | 'CNI_NETNS' | 'CNI_IFNAME')[]): CniEnvironment {
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new CniError(CNI_CODES.invalidEnvironment, `${missing.join(', ')} not set: the container runtime sets them when it runs a CNI plugin`);
  }
  const args = new Map<string, string>();
  for (const pair of (env.CNI_ARGS ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) args.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const namespace = args.get('K8S_POD_NAMESPACE');
  const name = args.get('K8S_POD_NAME');
  return {
    command: env.CNI_COMMAND ?? '',
    containerId: env.CNI_CONTAINERID ?? '',
    netns: env.CNI_NETNS ?? '',
    ifname: env.CNI_IFNAME ?? '',
    ...(namespace && name ? { pod: { namespace, name } } : {}),
  };
}

/** Parses and checks the network configuration from stdin. */
export function readConfig(stdin: string): PluginConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (error) {
    throw new CniError(CNI_CODES.decodeFailure, 'the network configuration on stdin is not JSON', (error as Error).message);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CniError(CNI_CODES.decodeFailure, 'the network configuration on stdin is not a JSON object');
  }
  const config = raw as Record<string, unknown>;
  const cniVersion = config.cniVersion;
  if (typeof cniVersion !== 'string' || !SUPPORTED_VERSIONS.includes(cniVersion)) {
    throw new CniError(CNI_CODES.incompatibleVersion,
      `eks-netpol-cni speaks CNI ${SUPPORTED_VERSIONS.join(' and ')}, but the configuration's cniVersion is ${JSON.stringify(cniVersion)}: set the conflist's cniVersion to one of them`);
  }
  const invalid = (field: string, problem: string, fix: string) =>
    new CniError(CNI_CODES.invalidConfig, `eks-netpol-cni configuration: "${field}" ${problem}: ${fix}`);
  const mode = config.mode ?? 'standard';
  if (mode !== 'standard' && mode !== 'strict') throw invalid('mode', `is ${JSON.stringify(mode)}`, 'use "strict" or "standard"');
  const agentSocket = config.agentSocket ?? DEFAULT_AGENT_SOCKET;
  if (typeof agentSocket !== 'string' || !agentSocket.startsWith('/')) {
    throw invalid('agentSocket', `is ${JSON.stringify(agentSocket)}, not an absolute path`, `use the agent's --cni-socket path (default ${DEFAULT_AGENT_SOCKET})`);
  }
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300_000) {
    throw invalid('timeoutMs', `is ${JSON.stringify(timeoutMs)}`, `give milliseconds from 100 to 300000 (default ${DEFAULT_TIMEOUT_MS})`);
  }
  const prevResult = config.prevResult;
  if (prevResult !== undefined && (typeof prevResult !== 'object' || prevResult === null || Array.isArray(prevResult))) {
    throw invalid('prevResult', 'is not an object', 'the runtime passes the previous plugin\'s result there; check the plugins before eks-netpol-cni');
  }
  return {
    cniVersion,
    name: typeof config.name === 'string' ? config.name : '',
    mode,
    agentSocket,
    timeoutMs,
    ...(prevResult ? { prevResult: prevResult as Record<string, unknown> } : {}),
  };
}

/** The host-side interface and the addresses a previous plugin (the VPC CNI, ptp, bridge) reported for the pod. */
export interface PodNetwork {
  readonly ifname: string;
  readonly ips: readonly string[];
}

interface ResultInterface {
  readonly name?: unknown;
  readonly sandbox?: unknown;
}

interface ResultIp {
  readonly address?: unknown;
  readonly interface?: unknown;
}

/**
 * Reads the pod's host-side interface and addresses from prevResult. Host-side interfaces are those without a
 * `sandbox`. When several are listed (the VPC CNI adds a bookkeeping "dummy" entry, bridge lists the bridge too), the
 * host side of the pod's veth is the one listed just before the container interface its first address names:
 * every veth-making plugin lists the host end first.
 */
export function podNetworkOf(prevResult: Record<string, unknown> | undefined): PodNetwork {
  const problem = (message: string) => new CniError(CNI_CODES.invalidConfig,
    `${message}: eks-netpol-cni is a chained plugin and must come after the plugin that creates the pod's veth (aws-cni) in the conflist's "plugins"`);
  if (!prevResult) throw problem('no prevResult');
  const interfaces = Array.isArray(prevResult.interfaces) ? prevResult.interfaces as ResultInterface[] : [];
  const ipEntries = Array.isArray(prevResult.ips) ? prevResult.ips as ResultIp[] : [];
  const ips: string[] = [];
  for (const entry of ipEntries) {
    const address = typeof entry?.address === 'string' ? entry.address.split('/')[0] : '';
    if (isIP(address) === 0) throw problem(`prevResult.ips has an address that is not an IP: ${JSON.stringify(entry?.address)}`);
    ips.push(address);
  }
  if (ips.length === 0) throw problem('prevResult has no ips');
  const isHostSide = (i: ResultInterface | undefined) => typeof i?.name === 'string' && i.name !== '' && (i.sandbox === undefined || i.sandbox === '');
  const hostSide = interfaces.filter(isHostSide);
  const containerIndex = ipEntries[0].interface;
  let chosen: ResultInterface | undefined;
  if (typeof containerIndex === 'number' && containerIndex >= 0 && containerIndex < interfaces.length) {
    chosen = interfaces.slice(0, containerIndex).reverse().find(isHostSide);
  }
  if (!chosen && hostSide.length === 1) chosen = hostSide[0];
  if (!chosen) {
    throw problem(hostSide.length === 0
      ? 'prevResult.interfaces lists no host-side interface (an entry without "sandbox")'
      : `prevResult.interfaces lists ${hostSide.length} host-side interfaces and prevResult.ips does not say which container interface is the pod's`);
  }
  return { ifname: chosen.name as string, ips };
}
