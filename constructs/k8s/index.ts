/** cdk8s constructs: apps declared with their NetworkPolicies, namespace defaults, peers, ports and GitOps output. */
export * from './app-with-policy';
export * from './policy-namespace';
export * from './peer';
export * from './port';
export * from './cluster-dns';
export * from './errors';
export * from './checks';
export * from './gitops';
export * from './policy-agent-chart';
