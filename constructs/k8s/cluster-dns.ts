import { Labels, NAMESPACE_NAME_LABEL } from '../../lib/model/types';
import { KubePeer, KubePort } from './private/kube';

/** The address NodeLocal DNSCache listens on in its default install. */
export const NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

/** Where CoreDNS runs on EKS: the `kube-dns` pods of `kube-system`. */
const KUBE_DNS_NAMESPACE = 'kube-system';
const KUBE_DNS_LABELS: Labels = { 'k8s-app': 'kube-dns' };

/** Options for `ClusterDns.kubeDns`. */
export interface KubeDnsOptions {
  /**
   * The namespace of the DNS pods.
   *
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * The labels of the DNS pods.
   *
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly podLabels?: Labels;
}

/**
 * How pods reach the cluster's DNS, so egress-isolated pods keep name resolution: UDP and TCP 53 to the DNS pods
 * (and, with NodeLocal DNSCache, to its link-local address on every node).
 */
export class ClusterDns {
  /** CoreDNS as EKS installs it: pods `k8s-app=kube-dns` in `kube-system`. */
  static kubeDns(options: KubeDnsOptions = {}): ClusterDns {
    return new ClusterDns(options.namespace ?? KUBE_DNS_NAMESPACE, options.podLabels ?? KUBE_DNS_LABELS, undefined);
  }

  /**
   * NodeLocal DNSCache: its address on every node, and kube-dns too (the cache forwards misses there, and pods fall
   * back to it while the cache restarts).
   *
   * @param address the address the cache listens on. @default '169.254.20.10'
   */
  static nodeLocal(address: string = NODE_LOCAL_DNS_ADDRESS, options: KubeDnsOptions = {}): ClusterDns {
    return new ClusterDns(options.namespace ?? KUBE_DNS_NAMESPACE, options.podLabels ?? KUBE_DNS_LABELS, address);
  }

  /** No DNS exception: the pods resolve nothing unless another rule allows it. */
  static none(): ClusterDns {
    return new ClusterDns(undefined, undefined, undefined);
  }

  private constructor(
    private readonly namespace: string | undefined,
    private readonly podLabels: Labels | undefined,
    private readonly nodeLocalAddress: string | undefined,
  ) {}

  /** False for `ClusterDns.none()`. */
  get enabled(): boolean {
    return this.namespace !== undefined;
  }

  /** For messages. */
  toString(): string {
    if (!this.enabled) return 'ClusterDns.none()';
    return this.nodeLocalAddress ? `ClusterDns.nodeLocal("${this.nodeLocalAddress}")` : 'ClusterDns.kubeDns()';
  }

  /** @internal The peers a DNS rule names; empty for `none()`. */
  _peers(): KubePeer[] {
    if (this.namespace === undefined) return [];
    const peers: KubePeer[] = [{
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespace } },
      podSelector: { matchLabels: { ...this.podLabels } },
    }];
    if (this.nodeLocalAddress) {
      const bits = this.nodeLocalAddress.includes(':') ? 128 : 32;
      peers.push({ ipBlock: { cidr: `${this.nodeLocalAddress}/${bits}` } });
    }
    return peers;
  }

  /** @internal DNS is UDP 53, and TCP 53 for large answers and zone transfers. */
  _ports(): KubePort[] {
    return [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
  }
}
