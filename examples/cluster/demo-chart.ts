import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AppWithPolicy, PolicyNamespace, Port } from '../../constructs/k8s';

/**
 * A small chart of two apps (web -> api) in their own namespace, used until the shop example lands: enough to show
 * apps deployed after enforcement is on, with their NetworkPolicies in the same manifest.
 */
export class DemoChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'demo' });
    new PolicyNamespace(this, 'namespace', { name: 'demo' });
    const web = new AppWithPolicy(this, 'web', { image: 'public.ecr.aws/nginx/nginx:1.27', ports: { http: 8080 } });
    const api = new AppWithPolicy(this, 'api', { image: 'public.ecr.aws/nginx/nginx:1.27', ports: { http: 8080 } });
    web.allowTo(api, Port.named('http'));
  }
}
