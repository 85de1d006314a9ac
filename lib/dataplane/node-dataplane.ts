/**
 * A node's data plane held open by a long-lived process (the agent). Where enforce/reprogram read every pinned map
 * back and recompile every local pod on each call, NodeDataplane keeps a NodeProgrammer: a change recompiles only the
 * local pods it concerns and writes only their entries, which is what keeps a policy change within milliseconds on a
 * node whose maps hold hundreds of thousands of entries.
 *
 * Opening it adopts what the pins hold (maps and links left by an earlier process): the first sync writes only the
 * difference between the kernel and the desired state, so a restart never opens an allow window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterState } from '../model/types';
import { AttachMode, BpfMap, BpfObject, interfaceIndex } from './binding';
import { CompileProblem } from './compile-types';
import { evictRevokedFlows } from './conntrack';
import { diffSize } from './diff';
import { DataplaneConfig } from './encode';
import { EnforcedPod, attachPrograms, detachLinks, pinnedInterfaces, withPodIps } from './enforce';
import { applyDiff, readImage } from './kernel-maps';
import { MAP } from './layout';
import { nativeBinding } from './native';
import { NodeAddressSource, nodeAddressesOf } from './node-addresses';
import { NodeProgrammer } from './programmer';

/** Options of NodeDataplane.open. */
export interface NodeDataplaneOptions {
  /** The compiled data-plane object (bpf/build/netpol.bpf.o). */
  readonly objectPath: string;
  /** The bpffs directory of this node's pins: `maps/` (reused when present) and `links/`. */
  readonly pinDir: string;
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
}

/** What one sync did. */
export interface SyncResult {
  /** How programs were attached, when some were. */
  readonly attachMode?: AttachMode;
  /** Interfaces whose programs this sync attached. */
  readonly attached: readonly string[];
  /** Interfaces whose links this sync detached (no longer a local pod's). */
  readonly detached: readonly string[];
  /** Map writes made. */
  readonly updates: number;
  readonly deletes: number;
  /** Conntrack entries removed because the new state no longer allows their flows. */
  readonly evicted: number;
  /** Local pods recompiled (the others were unchanged). */
  readonly recompiled: readonly string[];
  /** What the compiler could not express exactly, for the recompiled pods. */
  readonly problems: readonly CompileProblem[];
}

export class NodeDataplane {
  /** Opens (or creates) the pinned maps under pinDir and loads the programs, adopting what the maps hold. */
  static open(options: NodeDataplaneOptions): NodeDataplane {
    fs.mkdirSync(path.join(options.pinDir, 'maps'), { recursive: true });
    const object = BpfObject.load(options.objectPath, { mapPinDir: path.join(options.pinDir, 'maps') });
    try {
      const programmer = new NodeProgrammer({ config: { ...options.events, strict: options.mode === 'strict' } });
      programmer.adopt(readImage((name) => object.map(name)));
      return new NodeDataplane(options.pinDir, object, programmer);
    } catch (error) {
      object.close();
      throw error;
    }
  }

  /** The ifindex each attached interface had when its links were made (a recreated veth keeps its name, not its index). */
  private readonly linkedIndex = new Map<string, number>();

  private constructor(private readonly pinDir: string, private readonly object: BpfObject, private readonly programmer: NodeProgrammer) {
    for (const ifname of pinnedInterfaces(pinDir)) {
      const ifindex = interfaceIndex(ifname);
      if (ifindex > 0) this.linkedIndex.set(ifname, ifindex);
    }
  }

  /**
   * Makes the kernel enforce `cluster` for `pods`: their entries first, then their programs attached (so no packet
   * meets a half-programmed pod), then links of interfaces that are no longer local detached. `attachOnly` names
   * interfaces to attach without entries of their own (a pod the CNI announced before the cluster state knows it:
   * default deny in strict mode, open in standard mode). `node` says where the node's own addresses come from (its
   * Node's name, explicit addresses; the local pods' host IPs always count): traffic from them to the pods passes.
   */
  sync(cluster: ClusterState, pods: readonly EnforcedPod[], attachOnly: readonly string[] = [], node: NodeAddressSource = {}): SyncResult {
    const wanted = new Set([...pods.map((p) => p.ifname), ...attachOnly]);
    // Links made for an interface that was deleted and created again under the same name no longer filter it.
    for (const ifname of wanted) {
      const known = this.linkedIndex.get(ifname);
      if (known !== undefined && known !== interfaceIndex(ifname)) {
        detachLinks(this.pinDir, (name) => name === ifname);
        this.linkedIndex.delete(ifname);
      }
    }
    const detached = detachLinks(this.pinDir, (ifname) => !wanted.has(ifname));
    for (const ifname of detached) this.linkedIndex.delete(ifname);

    const native = nativeBinding();
    const local = pods.map((p) => ({ id: p.id, ifindex: native.ifIndex(p.ifname) }));
    const state = withPodIps(cluster, pods);
    const nodeAddresses = nodeAddressesOf(state, { ...node, localPods: pods.map((p) => p.id) });
    const update = this.programmer.update(state, local, { nodeAddresses });
    const maps = (name: string): BpfMap => this.object.map(name);
    applyDiff(maps, update.diffs);
    // Only the recompiled pods' allowances changed, so only their flows can have lost theirs.
    const evicted = update.compiled.length > 0 ? evictRevokedFlows(maps(MAP.conntrack), { pods: update.compiled, problems: [] }) : 0;
    const { mode, attached } = attachPrograms(this.object, this.pinDir, wanted);
    for (const ifname of attached) this.linkedIndex.set(ifname, interfaceIndex(ifname));
    return {
      attachMode: mode, attached, detached, ...diffSize(update.diffs), evicted,
      recompiled: update.recompiled, problems: update.problems,
    };
  }

  /** Entries per programmed map, as the last sync left them. */
  entryCounts(): Record<string, number> {
    return this.programmer.entryCounts();
  }

  /** Releases this process's handles; the pins keep everything enforced. */
  close(): void {
    this.object.close();
  }
}
