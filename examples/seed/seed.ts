import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AppWithPolicy, ClusterDns, DefaultDeny, Peer, PolicyNamespace, Port } from '../../constructs';

/** Props of the seed scenario. */
export interface SeedChartProps {
  /**
   * Allow the alpine pod DNS and HTTPS to the internet.
   *
   * @default false
   */
  readonly allowDnsAndHttps?: boolean;
}

/**
 * The seed scenario: an alpine pod in a namespace whose default deny blocks all egress, DNS included (the policy
 * most clusters start from). `nslookup` and `wget https://...` fail until the app allows them.
 */
export class SeedChart extends Chart {
  readonly alpine: AppWithPolicy;

  constructor(scope: Construct, id: string, props: SeedChartProps = {}) {
    super(scope, id);
    new PolicyNamespace(this, 'seed', { defaultDeny: DefaultDeny.EGRESS, dns: ClusterDns.none() });
    this.alpine = new AppWithPolicy(this, 'alpine', {
      namespace: 'seed',
      image: 'alpine:3.20',
      command: ['sleep', 'infinity'],
    });
    if (props.allowDnsAndHttps) {
      this.alpine.allowTo(Peer.clusterDns());
      // An EKS cluster is IPv4 or IPv6; this one is IPv4 (lint warns about rules of the other family).
      this.alpine.allowTo(Peer.internet({ exceptPrivate: true, ipFamily: 'IPv4' }), Port.tcp(443));
    }
  }
}
