/**
 * enforce / reprogram: put a cluster's policies into the kernel for the pods of one node (the lab calls these inside
 * its node network namespace; the agent does the same on a real node).
 *
 * Everything lives under one bpffs directory: `maps/<map name>` (reused when present, so reprogram and a restarted
 * process see the same maps) and `links/<ifname>-<hook>` (TCX links: the programs stay attached after the process
 * exits). Deleting the directory removes it all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { podsById } from '../model/pods-by-id';
import { ClusterState } from '../model/types';
import { AttachMode, BpfMap, BpfObject, attach, detachPinnedLink } from './binding';
import { CompileProblem, compileNode } from './compile';
import { CompiledNode } from './compile-types';
import { evictRevokedFlows } from './conntrack';
import { diffImages, diffSize } from './diff';
import { DataplaneConfig, MapImage, encodeNode } from './encode';
import { applyDiff, readImage } from './kernel-maps';
import { MAP, PROGRAM } from './layout';
import { nativeBinding } from './native';
import { nodeAddressesOf } from './node-addresses';

/** One pod on this node: its identity, the host-side veth and the addresses it has. */
export interface EnforcedPod {
  /** `namespace/name` of a pod identity in `cluster`. */
  readonly id: string;
  /** The host-side veth of the pod, in this process's network namespace. */
  readonly ifname: string;
  /**
   * The pod's addresses; they replace the cluster's `ips` for this pod.
   *
   * @default - the cluster's ips for the pod
   */
  readonly ips?: readonly string[];
}

/** Options of enforce and reprogram. */
export interface EnforceOptions {
  /** The compiled data-plane object (bpf/build/netpol.bpf.o). */
  readonly objectPath: string;
  /** A bpffs directory for this node's pins (created when missing). */
  readonly pinDir: string;
  /** Every pod of the cluster (peers on other nodes only contribute their IPs) and every policy. */
  readonly cluster: ClusterState;
  /** The pods on this node. */
  readonly pods: readonly EnforcedPod[];
  /**
   * 'strict' drops the traffic of interfaces the maps do not know (default deny until programmed).
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  /**
   * Node-wide event settings (ring buffer).
   *
   * @default - events off
   */
  readonly events?: Pick<DataplaneConfig, 'eventsOnDrop' | 'eventsOnPass' | 'eventsPerSecond'>;
  /**
   * This node's own addresses: traffic from them to the pods is always allowed (kubelet probes).
   *
   * @default - none given; the host IPs the pods report still count (see nodeAddressesOf)
   */
  readonly nodeAddresses?: readonly string[];
  /**
   * This node's name: the InternalIPs of the cluster's Node of that name are its addresses too.
   *
   * @default - no Node is looked up
   */
  readonly nodeName?: string;
}

/** What enforce or reprogram did. */
export interface EnforceResult {
  /** How the programs are attached ('tcx' here; 'tc' on kernels before 6.6). */
  readonly attachMode?: AttachMode;
  /** Map writes made. */
  readonly updates: number;
  readonly deletes: number;
  /** Conntrack entries removed because the new state no longer allows their flows. */
  readonly evicted: number;
  /** What the compiler could not express exactly (pods without IPs, shared addresses). */
  readonly problems: readonly CompileProblem[];
}

const MAPS_DIR = 'maps';
const LINKS_DIR = 'links';

/**
 * The cluster with the given pods' ips replaced. The cluster itself when no pod's ips differ: a long-lived caller
 * (NodeDataplane) recompiles only what changed, judged by object identity.
 */
export function withPodIps(cluster: ClusterState, pods: readonly EnforcedPod[]): ClusterState {
  const current = podsById(cluster.pods);
  const differs = (p: EnforcedPod) => p.ips !== undefined && (current.get(p.id)?.ips.join() ?? '') !== p.ips.join();
  const ips = new Map(pods.filter(differs).map((p) => [p.id, p.ips!]));
  if (ips.size === 0) return cluster;
  return { ...cluster, pods: cluster.pods.map((pod) => (ips.has(pod.id) ? { ...pod, ips: ips.get(pod.id)! } : pod)) };
}

/** The image the options ask for, diffed against `previous`. */
function targetImage(options: EnforceOptions, previous: MapImage | undefined): { image: MapImage; compiled: CompiledNode; problems: readonly CompileProblem[] } {
  const native = nativeBinding();
  const local = options.pods.map((p) => ({ id: p.id, ifindex: native.ifIndex(p.ifname) }));
  const cluster = withPodIps(options.cluster, options.pods);
  const nodeAddresses = nodeAddressesOf(cluster, { addresses: options.nodeAddresses, nodeName: options.nodeName, localPods: options.pods.map((p) => p.id) });
  const compiled = compileNode(cluster, local, undefined, { nodeAddresses });
  const image = encodeNode(compiled, {
    previous,
    config: { ...options.events, strict: options.mode === 'strict' },
  });
  return { image, compiled, problems: compiled.problems };
}

/** The pin of a pod interface's link at one hook. */
export function linkPin(pinDir: string, ifname: string, hook: 'ingress' | 'egress'): string {
  return path.join(pinDir, LINKS_DIR, `${ifname}-${hook}`);
}

/** The interfaces whose two links are both pinned under pinDir. */
export function pinnedInterfaces(pinDir: string): Set<string> {
  const dir = path.join(pinDir, LINKS_DIR);
  const pins = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const names = [...pins].filter((pin) => pin.endsWith('-ingress')).map((pin) => pin.slice(0, -'-ingress'.length));
  return new Set(names.filter((name) => pins.has(`${name}-egress`)));
}

/**
 * Attaches both programs to each interface that has no pinned link yet, and pins the links (TCX), so they outlive
 * this process. Returns how they were attached and which interfaces were new.
 */
export function attachPrograms(object: BpfObject, pinDir: string, ifnames: Iterable<string>): { mode?: AttachMode; attached: string[] } {
  let mode: AttachMode | undefined;
  const attached = new Set<string>();
  fs.mkdirSync(path.join(pinDir, LINKS_DIR), { recursive: true });
  for (const ifname of ifnames) {
    // The pod's ingress policy judges what leaves the host veth towards the pod, and vice versa.
    for (const [hook, program] of [['egress', PROGRAM.ingress], ['ingress', PROGRAM.egress]] as const) {
      const pin = linkPin(pinDir, ifname, hook);
      if (fs.existsSync(pin)) continue;
      const attachment = attach(object.program(program), ifname, hook);
      mode = attachment.mode;
      attached.add(ifname);
      if (attachment.mode === 'tcx') {
        attachment.pin(pin);
        // The pin holds the link; this process's fd is no longer needed.
        nativeBinding().closeFd(attachment.linkFd!);
      }
    }
  }
  return { mode, attached: [...attached] };
}

/**
 * Detaches the pinned links of the interfaces `which` picks and removes their pins; returns those interfaces. A pin
 * of a deleted interface outlives it and would stop a new interface of the same name from being attached.
 */
export function detachLinks(pinDir: string, which: (ifname: string) => boolean): string[] {
  const dir = path.join(pinDir, LINKS_DIR);
  const detached = new Set<string>();
  for (const pin of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const ifname = pin.replace(/-(ingress|egress)$/, '');
    if (!which(ifname)) continue;
    const pinPath = path.join(dir, pin);
    try {
      detachPinnedLink(pinPath);
    } catch {
      // The interface is gone, and its link with it: only the pin is left.
      fs.rmSync(pinPath, { force: true });
    }
    detached.add(ifname);
  }
  return [...detached];
}

/**
 * Loads the data plane for this node's pods: maps pinned under pinDir (reused when present), every entry written,
 * then both programs attached to each pod's host veth (entries first, so no packet meets a half-programmed pod).
 */
export function enforce(options: EnforceOptions): EnforceResult {
  fs.mkdirSync(path.join(options.pinDir, MAPS_DIR), { recursive: true });
  const object = BpfObject.load(options.objectPath, { mapPinDir: path.join(options.pinDir, MAPS_DIR) });
  try {
    const maps = (name: string) => object.map(name);
    const previous = readImage(maps);
    const { image, compiled, problems } = targetImage(options, previous);
    const diffs = diffImages(previous, image);
    applyDiff(maps, diffs);
    // Maps reused from an earlier run may hold flows that the state now loaded no longer allows.
    const evicted = evictRevokedFlows(maps(MAP.conntrack), compiled);
    const attachMode = attachPrograms(object, options.pinDir, options.pods.map((p) => p.ifname)).mode;
    return { attachMode, ...diffSize(diffs), evicted, problems };
  } finally {
    object.close();
  }
}

/**
 * Applies a new cluster state to a node that enforce() programmed: reads what the pinned maps hold, compiles the new
 * state, and writes only the difference. Pods new to the node get their programs attached.
 */
export function reprogram(options: EnforceOptions): EnforceResult {
  const opened = new Map<string, BpfMap>();
  const maps = (name: string) => {
    let map = opened.get(name);
    if (!map) opened.set(name, (map = BpfMap.openPinned(path.join(options.pinDir, MAPS_DIR, name))));
    return map;
  };
  try {
    const previous = readImage(maps);
    const { image, compiled, problems } = targetImage(options, previous);
    const diffs = diffImages(previous, image);
    applyDiff(maps, diffs);
    const evicted = evictRevokedFlows(maps(MAP.conntrack), compiled);
    const linked = pinnedInterfaces(options.pinDir);
    const unattached = options.pods.some((p) => !linked.has(p.ifname));
    let attachMode: AttachMode | undefined;
    if (unattached) {
      const object = BpfObject.load(options.objectPath, { mapPinDir: path.join(options.pinDir, MAPS_DIR) });
      try {
        attachMode = attachPrograms(object, options.pinDir, options.pods.map((p) => p.ifname)).mode;
      } finally {
        object.close();
      }
    }
    return { attachMode, ...diffSize(diffs), evicted, problems };
  } finally {
    for (const map of opened.values()) map.close();
  }
}
