// A user's policy test: behaviour (toAllow / toDeny) and a reachability snapshot to review in pull requests.
require('eks-netpol/testing');
const { App } = require('cdk8s');
const { ShopChart } = require('../out/shop');

const chart = new ShopChart(new App(), 'shop');

test('web reaches the api on http, and nothing else gets in', () => {
  expect(chart).toAllow('shop/web', 'shop/api', 'http');
  expect(chart).toDeny('shop/web', 'shop/api', 'metrics');
  expect(chart).toDeny('shop/api', 'shop/web', 8080);
  expect(chart.api).toDeny('10.1.2.3', 'shop/api', 8080);
});

test('who may reach whom, as a snapshot', () => {
  expect(chart).toMatchReachabilitySnapshot();
});
