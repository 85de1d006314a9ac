import { Testing } from 'cdk8s';
import '../../lib/testing';
import { ShopChart } from './shop';

function shop(): ShopChart {
  return new ShopChart(Testing.app(), 'shop');
}

describe('the shop example', () => {
  test('the web front reaches the API on its http port, and nothing else in the shop', () => {
    const chart = shop();
    expect(chart).toAllow('shop/web', 'shop/api', 'http');
    expect(chart).toDeny('shop/web', 'shop/postgres', 'postgres');
    expect(chart).toDeny('shop/web', 'shop/redis', 'redis');
    expect(chart).toDeny('shop/web', 'shop/worker', 'metrics');
  });

  test('only the API and the worker reach Postgres and Redis', () => {
    const chart = shop();
    for (const client of ['shop/api', 'shop/worker']) {
      expect(chart).toAllow(client, 'shop/postgres', 5432);
      expect(chart).toAllow(client, 'shop/redis', 'redis');
    }
    expect(chart).toDeny('monitoring/prometheus', 'shop/postgres', 5432);
  });

  test('the API reaches the payment provider on 443 only, and nobody else reaches it', () => {
    const chart = shop();
    expect(chart).toAllow('shop/api', '203.0.113.10', 443);
    expect(chart).toDeny('shop/api', '203.0.113.10', 80);
    expect(chart).toDeny('shop/worker', '203.0.113.10', 443);
    expect(chart).toDeny('shop/web', '198.51.100.1', 443);
  });

  test('customers reach the web front through the load balancer subnets, not the API', () => {
    const chart = shop();
    expect(chart).toAllow('10.0.3.7', 'shop/web', 'http');
    expect(chart).toDeny('10.0.3.7', 'shop/api', 'http');
    expect(chart).toDeny('10.0.16.1', 'shop/web', 'http');
  });

  test('Prometheus in the monitoring namespace scrapes the metrics ports and nothing else', () => {
    const chart = shop();
    for (const scraped of ['shop/web', 'shop/api', 'shop/worker']) {
      expect(chart).toAllow('monitoring/prometheus', scraped, 'metrics');
    }
    expect(chart).toDeny('monitoring/prometheus', 'shop/api', 'http');
  });

  test('the reachability matrix is stable', () => {
    expect(shop()).toMatchReachabilitySnapshot();
  });

  test('the manifests are stable', () => {
    expect(Testing.synth(shop())).toMatchSnapshot();
  });
});
