import { cidrCovers, describeCidrProblem, parseCidr, parseIp } from '../../lib/model/cidr';
import { Cidr, LabelSelector, Labels, NAMESPACE_NAME_LABEL } from '../../lib/model/types';
import type { AppWithPolicy } from './app-with-policy';
import { ClusterDns } from './cluster-dns';
import { KubePeer } from './private/kube';

/** Private and link-local ranges `Peer.internet({ exceptPrivate: true })` leaves out. */
export const PRIVATE_IPV4_RANGES: readonly string[] = ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];
export const PRIVATE_IPV6_RANGES: readonly string[] = ['fc00::/7', 'fe80::/10'];

/** What a peer stands for, for rendering and checks. */
export type PeerInfo =
  | { readonly kind: 'app'; readonly app: AppWithPolicy }
  | {
    readonly kind: 'selector';
    readonly description: string;
    readonly podSelector?: LabelSelector;
    /** Undefined: the policy's own namespace. */
    readonly namespaceSelector?: LabelSelector;
    /** Check the namespace selector against the namespaces the cdk8s app declares. */
    readonly checkNamespaces: boolean;
  }
  | { readonly kind: 'ipBlocks'; readonly description: string; readonly blocks: readonly { cidr: string; except: readonly string[] }[] }
  | { readonly kind: 'dns'; readonly description: string; readonly dns: ClusterDns };

/** Something a rule can allow traffic from or to: an `AppWithPolicy`, or a `Peer`. */
export interface IPeer {
  /** @internal */
  _peerInfo(): PeerInfo;
}

/** Options for peers that name namespaces. */
export interface NamespacePeerOptions {
  /**
   * The namespace is declared outside this cdk8s app (by the cluster, an add-on or another repository), so do not
   * check the selector against the namespaces the app declares.
   *
   * @default false
   */
  readonly declaredElsewhere?: boolean;
}

/** Options for `Peer.internet`. */
export interface InternetPeerOptions {
  /**
   * Leave out private and link-local ranges (RFC 1918, 100.64.0.0/10, 169.254.0.0/16 with the instance metadata
   * service, fc00::/7, fe80::/10), so "the internet" does not also mean the VPC.
   *
   * @default false
   */
  readonly exceptPrivate?: boolean;
  /**
   * Which address families: an EKS cluster is IPv4 or IPv6, and the VPC CNI ignores rules of the other family
   * (lint warns about them), so name yours.
   *
   * @default 'dual' (0.0.0.0/0 and ::/0)
   */
  readonly ipFamily?: 'IPv4' | 'IPv6' | 'dual';
}

function selectorOf(labelsOrSelector: Labels | LabelSelector): LabelSelector {
  const s = labelsOrSelector as LabelSelector;
  const isSelector = (s.matchLabels !== undefined && typeof s.matchLabels === 'object')
    || (s.matchExpressions !== undefined && Array.isArray(s.matchExpressions));
  return isSelector ? s : { matchLabels: labelsOrSelector as Labels };
}

function describeSelector(selector: LabelSelector): string {
  return JSON.stringify(selector.matchExpressions ? selector : selector.matchLabels ?? {});
}

/**
 * Peers of a rule. An `AppWithPolicy` is itself a peer (both sides of the connection are then written).
 *
 * ```ts
 * api.allowFrom(Peer.namespace('monitoring'), Port.named('metrics'));
 * api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
 * ```
 */
export class Peer {
  /** Another app: selects exactly its pods, and writes the matching rule on its side too. */
  static app(app: AppWithPolicy): IPeer {
    return app;
  }

  /** Pods of the policy's own namespace with these labels (or matching this selector). */
  static pods(labels: Labels | LabelSelector): IPeer {
    const podSelector = selectorOf(labels);
    return new Peer({ kind: 'selector', description: `Peer.pods(${describeSelector(podSelector)})`, podSelector, checkNamespaces: false });
  }

  /** Every pod of the namespace with this name. */
  static namespace(name: string, options: NamespacePeerOptions = {}): IPeer {
    return new Peer({
      kind: 'selector',
      description: `Peer.namespace("${name}")`,
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } },
      checkNamespaces: !options.declaredElsewhere,
    });
  }

  /** Every pod of the namespaces with these labels (or matching this selector). */
  static namespaces(labels: Labels | LabelSelector, options: NamespacePeerOptions = {}): IPeer {
    const namespaceSelector = selectorOf(labels);
    return new Peer({ kind: 'selector', description: `Peer.namespaces(${describeSelector(namespaceSelector)})`, namespaceSelector, checkNamespaces: !options.declaredElsewhere });
  }

  /**
   * Pods with these labels in the namespace of this name (a string) or in the namespaces with these labels: both
   * must hold (one peer with namespaceSelector AND podSelector).
   */
  static podsIn(namespace: string | Labels | LabelSelector, pods: Labels | LabelSelector, options: NamespacePeerOptions = {}): IPeer {
    const namespaceSelector = typeof namespace === 'string' ? { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } : selectorOf(namespace);
    const podSelector = selectorOf(pods);
    const ns = typeof namespace === 'string' ? `"${namespace}"` : describeSelector(namespaceSelector);
    return new Peer({
      kind: 'selector',
      description: `Peer.podsIn(${ns}, ${describeSelector(podSelector)})`,
      namespaceSelector,
      podSelector,
      checkNamespaces: !options.declaredElsewhere,
    });
  }

  /** Every pod of every namespace (not addresses outside the cluster). */
  static allPods(): IPeer {
    return new Peer({ kind: 'selector', description: 'Peer.allPods()', namespaceSelector: {}, checkNamespaces: false });
  }

  /** Addresses in `cidr`, minus each `except` (which must lie inside it). */
  static ipBlock(cidr: string, except: readonly string[] = []): IPeer {
    const exceptText = except.length ? `, [${except.map((e) => `"${e}"`).join(', ')}]` : '';
    return new Peer({ kind: 'ipBlocks', description: `Peer.ipBlock("${cidr}"${exceptText})`, blocks: [{ cidr, except: [...except] }] });
  }

  /** Every IPv4 and IPv6 address (0.0.0.0/0 and ::/0), optionally without the private ranges or one family. */
  static internet(options: InternetPeerOptions = {}): IPeer {
    const exceptPrivate = options.exceptPrivate ?? false;
    const family = options.ipFamily ?? 'dual';
    const described = [...(exceptPrivate ? ['exceptPrivate: true'] : []), ...(options.ipFamily ? [`ipFamily: "${family}"`] : [])];
    return new Peer({
      kind: 'ipBlocks',
      description: `Peer.internet(${described.length ? `{ ${described.join(', ')} }` : ''})`,
      blocks: [
        ...(family !== 'IPv6' ? [{ cidr: '0.0.0.0/0', except: exceptPrivate ? PRIVATE_IPV4_RANGES : [] }] : []),
        ...(family !== 'IPv4' ? [{ cidr: '::/0', except: exceptPrivate ? PRIVATE_IPV6_RANGES : [] }] : []),
      ],
    });
  }

  /**
   * The cluster's DNS. Allowed with no ports, it means UDP and TCP 53.
   *
   * @param dns which DNS. @default ClusterDns.kubeDns()
   */
  static clusterDns(dns: ClusterDns = ClusterDns.kubeDns()): IPeer {
    return new Peer({ kind: 'dns', description: `Peer.clusterDns(${dns.enabled ? dns : ''})`, dns });
  }

  private constructor(private readonly info: PeerInfo) {}

  /** @internal */
  _peerInfo(): PeerInfo {
    return this.info;
  }
}

/** How a peer reads in messages. */
export function describePeer(peer: IPeer): string {
  const info = peer._peerInfo();
  return info.kind === 'app' ? info.app.node.path : info.description;
}

/** The problem with an ipBlock, or undefined: not a CIDR, host bits set, or an except outside the block. */
export function ipBlockProblem(cidr: string, except: readonly string[]): { problem: string; fix: string } | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed) return { problem: describeCidrProblem(cidr), fix: 'write the block as address/prefix, like "203.0.113.0/24".' };
  const masked = hostBitsProblem(cidr, parsed);
  if (masked) return masked;
  for (const hole of except) {
    const inner = parseCidr(hole);
    if (!inner) return { problem: `except ${describeCidrProblem(hole)}`, fix: 'write each except as address/prefix inside the block.' };
    const maskedHole = hostBitsProblem(hole, inner);
    if (maskedHole) return maskedHole;
    if (!cidrCovers(parsed, inner) || inner.prefixLength === parsed.prefixLength) {
      return { problem: `except "${hole}" is not inside "${cidr}".`, fix: `remove it, or except a smaller range inside "${cidr}".` };
    }
  }
  return undefined;
}

function hostBitsProblem(text: string, network: Cidr): { problem: string; fix: string } | undefined {
  const address = text.slice(0, text.indexOf('/'));
  if (parseIp(address)?.address === network.address) return undefined;
  const single = `${address}/${network.family === 6 ? 128 : 32}`;
  return { problem: `"${text}" has host bits set beyond its prefix.`, fix: `write "${network.text}" for the network or "${single}" for the one address.` };
}

/** Renders a peer as NetworkPolicy peers from the point of view of a policy in `policyNamespace`. */
export function renderPeer(info: PeerInfo, policyNamespace: string): KubePeer[] {
  switch (info.kind) {
    case 'app':
      return [info.app._selectorFrom(policyNamespace)];
    case 'selector':
      return [{
        ...(info.namespaceSelector ? { namespaceSelector: info.namespaceSelector } : {}),
        ...(info.podSelector ? { podSelector: info.podSelector } : {}),
      }];
    case 'ipBlocks':
      return info.blocks.map((b) => ({ ipBlock: { cidr: b.cidr, ...(b.except.length ? { except: [...b.except] } : {}) } }));
    case 'dns':
      return info.dns._peers();
  }
}
