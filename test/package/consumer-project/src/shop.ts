// A user's cdk8s chart: two apps and their namespace, each Deployment declared with its NetworkPolicies.
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AppWithPolicy, DefaultDeny, PolicyNamespace, Port } from 'eks-netpol';

export class ShopChart extends Chart {
  readonly web: AppWithPolicy;
  readonly api: AppWithPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new PolicyNamespace(this, 'shop', { defaultDeny: DefaultDeny.BOTH });
    this.web = new AppWithPolicy(this, 'web', { namespace: 'shop', image: 'nginx:1.27', ports: { http: 8080 } });
    this.api = new AppWithPolicy(this, 'api', { namespace: 'shop', image: 'ghcr.io/acme/api:1.0.0', ports: { http: 8080, metrics: 9090 } });
    this.web.allowTo(this.api, Port.named('http'));
  }
}
