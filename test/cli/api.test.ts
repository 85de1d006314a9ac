import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvalidInputError, loadReachability, probeJson, reach, UnknownEndpointError } from '../../lib';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'reach');

describe('loadReachability', () => {
  test('answers single probes with reasons, as the README shows', () => {
    const r = loadReachability([EXAMPLES]);
    const verdict = r.check('shop/web', 'shop/api', 'http');
    expect(verdict.allowed).toBe(true);
    expect(verdict.port).toBe(8080);
    expect(verdict.ingress.rules).toEqual(['shop/api-allow-web ingress[0]']);
    expect(r.probe({ to: ['shop/db'] }).summary).toEqual({ probes: 4, allowed: 1, denied: 3 });
  });

  test('takes objects without a namespace into the given one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-api-'));
    fs.writeFileSync(path.join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\nspec:\n  containers:\n    - name: c\n      image: x\n      ports: [{containerPort: 80}]\n');
    expect(loadReachability([dir], { namespace: 'team-a' }).podIds).toEqual(['team-a/solo']);
    expect(loadReachability([dir]).podIds).toEqual(['default/solo']);
  });

  test('reads - through the given readStdin', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'workloads.yaml'), 'utf8');
    expect(loadReachability(['-'], { readStdin: () => text }).podIds).toEqual(['monitoring/prometheus', 'shop/api', 'shop/db', 'shop/web']);
  });

  test('throws InvalidInputError carrying every problem with its file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-api-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector:\n    matchExpressions:\n      - {key: app, operator: Near}\n  ingress:\n    - ports:\n        - protocol: ICMP\n');
    let caught: unknown;
    try {
      loadReachability([file]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    const problems = (caught as InvalidInputError).problems;
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.every((p) => p.source?.file === file)).toBe(true);
  });
});

describe('reach', () => {
  test('loads and probes in one call, giving the verdicts the CLI prints', () => {
    const result = reach([EXAMPLES], { from: ['203.0.113.7'] }, { namespace: 'default' });
    expect(result.summary).toEqual({ probes: 5, allowed: 1, denied: 4 });
    const allowed = [...result.verdicts()].filter((v) => v.allowed).map((v) => probeJson(v));
    expect(allowed).toEqual([{
      from: '203.0.113.7', to: 'monitoring/prometheus', port: 9090, protocol: 'TCP', allowed: true,
      egress: { isolated: false, allowedBy: [] }, ingress: { isolated: false, allowedBy: [] },
    }]);
  });

  test('throws UnknownEndpointError for an endpoint the input does not have', () => {
    expect(() => reach([EXAMPLES], { to: ['shop/cache'] })).toThrow(UnknownEndpointError);
  });
});
