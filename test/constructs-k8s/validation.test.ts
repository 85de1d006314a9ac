import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { AppWithPolicy, Peer, PolicyNamespace, Port } from '../../constructs/k8s';

function chart(namespace = 'shop'): Chart {
  return new Chart(Testing.app(), 'c', { namespace });
}

function twoApps(): { c: Chart; web: AppWithPolicy; api: AppWithPolicy } {
  const c = chart();
  const web = new AppWithPolicy(c, 'web', { image: 'web:1', ports: { http: 8080 } });
  const api = new AppWithPolicy(c, 'api', { image: 'api:1', ports: { http: 8080, metrics: 9090 } });
  return { c, web, api };
}

describe('validation at construction names the construct path, the prop and the fix', () => {
  test('a named port the destination app lacks is rejected, listing the ports it has', () => {
    const { web, api } = twoApps();
    expect(() => web.allowTo(api, Port.named('grpc'))).toThrow(
      /^c\/web: allowTo\(c\/api, Port.named\("grpc"\)\): c\/api declares no port named "grpc"; it declares "http" \(8080\/TCP\), "metrics" \(9090\/TCP\)\. Fix: name one of its ports, or add "grpc" to the props.ports of c\/api\.$/,
    );
  });

  test('a named port this app lacks is rejected on allowFrom', () => {
    const { web, api } = twoApps();
    expect(() => api.allowFrom(web, Port.named('admin'))).toThrow(/c\/api: allowFrom\(c\/web, Port.named\("admin"\)\): c\/api declares no port named "admin"/);
  });

  test('a named port with the wrong protocol is rejected', () => {
    const { web, api } = twoApps();
    expect(() => web.allowTo(api, Port.named('http', 'UDP'))).toThrow(/declares no UDP port named "http"/);
  });

  test('a named port towards addresses outside the cluster is rejected', () => {
    const { api } = twoApps();
    expect(() => api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.named('https'))).toThrow(/addresses outside the cluster have no named ports.*Fix: give the port number/);
  });

  test('an ipBlock that is not a CIDR is rejected with a suggestion', () => {
    const { api } = twoApps();
    expect(() => api.allowTo(Peer.ipBlock('203.0.113.7'), Port.tcp(443))).toThrow(/c\/api: allowTo\(Peer.ipBlock\("203.0.113.7"\), Port.tcp\(443\)\): "203.0.113.7" has no prefix length. Did you mean "203.0.113.7\/32"\?/);
    expect(() => api.allowTo(Peer.ipBlock('203.0.113.0/33'))).toThrow(/prefix length "33"/);
    expect(() => api.allowTo(Peer.ipBlock('example.com/24'))).toThrow(/is not an IPv4 or IPv6 address/);
  });

  test('an ipBlock with host bits set is rejected, naming both readings', () => {
    const { api } = twoApps();
    expect(() => api.allowTo(Peer.ipBlock('10.1.2.3/16'))).toThrow(/"10.1.2.3\/16" has host bits set beyond its prefix. Fix: write "10.1.0.0\/16" for the network or "10.1.2.3\/32" for the one address./);
  });

  test('an except outside its block is rejected', () => {
    const { api } = twoApps();
    expect(() => api.allowTo(Peer.ipBlock('10.0.0.0/16', ['10.1.0.0/24']))).toThrow(/except "10.1.0.0\/24" is not inside "10.0.0.0\/16"/);
    expect(() => api.allowTo(Peer.ipBlock('10.0.0.0/16', ['fd00::/8']))).toThrow(/is not inside/);
    expect(() => api.allowTo(Peer.ipBlock('10.0.0.0/16', ['10.0.0.0/16']))).toThrow(/is not inside/);
  });

  test('a port number out of range and a reversed range are rejected', () => {
    const { api } = twoApps();
    expect(() => api.allowTo(Peer.ipBlock('10.0.0.0/8'), Port.tcp(70000))).toThrow(/Port.tcp\(70000\): 70000 is not a port number. Fix: give a whole number from 1 to 65535./);
    expect(() => api.allowTo(Peer.ipBlock('10.0.0.0/8'), Port.tcpRange(9000, 8000))).toThrow(/the range ends \(8000\) before it starts \(9000\). Fix: write Port.tcpRange\(8000, 9000\)/);
  });

  test('an invalid port name in a rule is rejected', () => {
    const { api } = twoApps();
    expect(() => api.allowFrom(Peer.allPods(), Port.named('Not_A_Name'))).toThrow(/"Not_A_Name" is not a valid port name/);
  });

  test('invalid label selectors in peers are rejected', () => {
    const { api } = twoApps();
    expect(() => api.allowFrom(Peer.pods({ 'bad key!': 'x' }))).toThrow(/c\/api: allowFrom\(Peer.pods.*"bad key!" is not a valid label key/);
    expect(() => api.allowFrom(Peer.namespaces({ team: 'not ok' }))).toThrow(/the value "not ok" of label "team"/);
  });

  test('props that cannot be written are rejected', () => {
    const c = chart();
    expect(() => new AppWithPolicy(c, 'Web', { image: 'x' })).toThrow(/c\/Web: id \(the default name\): "Web" is not a valid Kubernetes name/);
    expect(() => new AppWithPolicy(c, 'a', { image: 'x', ports: { http: 0 } })).toThrow(/c\/a: props.ports.http: 0 is not a port number/);
    expect(() => new AppWithPolicy(c, 'b', { image: 'x', ports: { 'way-too-long-port-name': 80 } })).toThrow(/props.ports.way-too-long-port-name: .* is not a valid port name/);
    expect(() => new AppWithPolicy(c, 'd', { image: 'x', ports: { http: 80, web: 80 } })).toThrow(/props.ports.web: port 80\/TCP is already declared as "http"/);
    expect(() => new AppWithPolicy(c, 'e', { image: 'x', labels: { 'app.kubernetes.io/name': 'other' } })).toThrow(/props.labels\["app.kubernetes.io\/name"\]: .*Fix: use props.name/);
    expect(() => new AppWithPolicy(c, 'f', { image: 'x', partOf: 'no spaces' })).toThrow(/props.partOf: "no spaces" is not a valid label value/);
    expect(() => new AppWithPolicy(c, 'g', { image: 'x', replicas: -1 })).toThrow(/props.replicas/);
    expect(() => new AppWithPolicy(c, 'h', { image: 'x', service: true })).toThrow(/props.service: a Service needs ports/);
  });

  test('an app without a namespace is rejected', () => {
    const c = new Chart(Testing.app(), 'c');
    expect(() => new AppWithPolicy(c, 'web', { image: 'x' })).toThrow(/c\/web: props.namespace: the app has no namespace.*Fix: pass props.namespace, or give the chart a namespace/);
  });

  test('invalid namespace defaults are rejected', () => {
    const c = chart();
    expect(() => new PolicyNamespace(c, 'Shop')).toThrow(/"Shop" is not a valid namespace name/);
    expect(() => new PolicyNamespace(c, 'ns', { name: 'ok', labels: { 'kubernetes.io/metadata.name': 'other' } })).toThrow(/the API server sets this label/);
    expect(() => new PolicyNamespace(c, 'ns2', { defaultDeny: 'none' as never, allowWithinNamespace: true })).toThrow(/props.allowWithinNamespace: nothing is denied by default/);
  });
});

describe('validation at synth sees the whole cdk8s app', () => {
  test('a namespace selector matching none of the declared namespaces fails synthesis', () => {
    const app = new App();
    const c = new Chart(app, 'c', { namespace: 'shop' });
    new PolicyNamespace(c, 'shop');
    new PolicyNamespace(c, 'monitoring', { labels: { team: 'platform' } });
    const api = new AppWithPolicy(c, 'api', { image: 'api:1', ports: { metrics: 9090 } });
    api.allowFrom(Peer.namespace('monitorring'), Port.named('metrics'));
    expect(() => app.synthYaml()).toThrow(/\[c\/api\] c\/api allowFrom\(Peer.namespace\("monitorring"\), Port.named\("metrics"\)\): the namespace selector of Peer.namespace\("monitorring"\) matches none of the namespaces this cdk8s app declares \("monitoring", "shop"\).*Fix: name a declared namespace/);
  });

  test('namespace selectors by label are checked against plain Namespace objects too', () => {
    const c = chart();
    new ApiObject(c, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'shop' } } });
    const api = new AppWithPolicy(c, 'api', { image: 'api:1', ports: { http: 8080 } });
    api.allowFrom(Peer.namespaces({ team: 'shop' }), Port.named('http'));
    expect(() => Testing.synth(c)).not.toThrow();
    api.allowFrom(Peer.namespaces({ team: 'payments' }), Port.named('http'));
    expect(() => Testing.synth(c)).toThrow(/matches none of the namespaces this cdk8s app declares \("shop"\)/);
  });

  test('namespaces declared elsewhere, and apps in undeclared namespaces, skip the namespace check', () => {
    const c = chart();
    new PolicyNamespace(c, 'shop');
    const api = new AppWithPolicy(c, 'api', { image: 'api:1', ports: { http: 8080 } });
    api.allowFrom(Peer.namespace('ingress-nginx', { declaredElsewhere: true }), Port.named('http'));
    expect(() => Testing.synth(c)).not.toThrow();

    const open = chart();
    const other = new AppWithPolicy(open, 'api', { image: 'api:1', ports: { http: 8080 } });
    other.allowFrom(Peer.namespace('anything'), Port.named('http'));
    expect(() => Testing.synth(open)).not.toThrow();
  });

  test('allowing a peer into an app declared unreachable is a conflict', () => {
    const c = chart();
    const worker = new AppWithPolicy(c, 'worker', { image: 'w:1', ports: { metrics: 9090 }, unreachable: true });
    const web = new AppWithPolicy(c, 'web', { image: 'web:1' });
    web.allowTo(worker, Port.named('metrics'));
    expect(() => Testing.synth(c)).toThrow(/\[c\/worker\] props.unreachable: the app is declared unreachable, yet c\/web allowTo\(c\/worker, Port.named\("metrics"\)\) allows c\/web in. Fix: remove that rule, or remove unreachable: true./);
  });

  test('rules in a direction declared not isolated are a conflict', () => {
    const c = chart();
    const api = new AppWithPolicy(c, 'api', { image: 'api:1', isolation: { egress: false } });
    api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    expect(() => Testing.synth(c)).toThrow(/\[c\/api\] props.isolation.egress: egress is declared not isolated, yet c\/api allowTo\(Peer.ipBlock\("203.0.113.0\/24"\), Port.tcp\(443\)\) allows a peer out/);

    const d = chart();
    const db = new AppWithPolicy(d, 'db', { image: 'db:1', ports: { pg: 5432 }, isolation: { ingress: false } });
    db.allowFrom(Peer.allPods(), Port.named('pg'));
    expect(() => Testing.synth(d)).toThrow(/props.isolation.ingress: ingress is declared not isolated/);
  });

  test('two apps with the same identity are a conflict', () => {
    const app = new App();
    new AppWithPolicy(new Chart(app, 'one', { namespace: 'shop' }), 'api', { image: 'a:1' });
    new AppWithPolicy(new Chart(app, 'two', { namespace: 'shop' }), 'api', { image: 'a:2' });
    expect(() => app.synthYaml()).toThrow(/\[two\/api\] props.name: one\/api already declares the app "shop\/api"/);
  });

  test('the engine validates every synthesized policy', () => {
    const c = chart();
    const api = new AppWithPolicy(c, 'api', { image: 'api:1' });
    // A selector expression the API server rejects: In needs values. Only the engine's validation sees it.
    api.allowFrom(Peer.pods({ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }));
    expect(() => Testing.synth(c)).toThrow(/\[c\/api\] the engine rejects a synthesized policy: NetworkPolicy\/shop\/api-ingress: spec.ingress\[0\].from\[0\].podSelector.matchExpressions\[0\]/);
  });
});
