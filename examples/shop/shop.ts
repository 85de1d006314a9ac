import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AppWithPolicy, DefaultDeny, Peer, PolicyNamespace, Port } from '../../constructs';

/** The shop: a web front, an API, a worker, Postgres and Redis, a payment API outside, Prometheus scraping. */
export class ShopChart extends Chart {
  readonly web: AppWithPolicy;
  readonly api: AppWithPolicy;
  readonly worker: AppWithPolicy;
  readonly postgres: AppWithPolicy;
  readonly redis: AppWithPolicy;
  readonly prometheus: AppWithPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new PolicyNamespace(this, 'shop', { labels: { team: 'shop' }, defaultDeny: DefaultDeny.BOTH });
    new PolicyNamespace(this, 'monitoring', { labels: { team: 'platform' }, defaultDeny: DefaultDeny.BOTH });

    const shop = { namespace: 'shop', partOf: 'shop' };
    this.web = new AppWithPolicy(this, 'web', { ...shop, image: 'ghcr.io/acme/shop-web:2.3.1', replicas: 3, ports: { http: 8080, metrics: 9090 } });
    this.api = new AppWithPolicy(this, 'api', { ...shop, image: 'ghcr.io/acme/shop-api:5.0.2', replicas: 3, ports: { http: 8080, metrics: 9090 } });
    this.worker = new AppWithPolicy(this, 'worker', { ...shop, image: 'ghcr.io/acme/shop-worker:5.0.2', ports: { metrics: 9090 } });
    this.postgres = new AppWithPolicy(this, 'postgres', { ...shop, image: 'postgres:16.4', ports: { postgres: 5432 } });
    this.redis = new AppWithPolicy(this, 'redis', { ...shop, image: 'redis:7.4', ports: { redis: 6379 } });
    this.prometheus = new AppWithPolicy(this, 'prometheus', { namespace: 'monitoring', image: 'prom/prometheus:v2.54.1', ports: { web: 9090 } });

    // Customers arrive through the load balancer, which sits in the VPC's public subnets.
    this.web.allowFrom(Peer.ipBlock('10.0.0.0/20'), Port.named('http'));
    this.web.allowTo(this.api, Port.named('http'));
    for (const client of [this.api, this.worker]) {
      client.allowTo(this.postgres, Port.named('postgres'));
      client.allowTo(this.redis, Port.named('redis'));
    }
    // The payment provider's API, by its published address range.
    this.api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    for (const scraped of [this.web, this.api, this.worker]) {
      this.prometheus.allowTo(scraped, Port.named('metrics'));
    }
  }
}
