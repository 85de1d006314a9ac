export * from './cluster-compute';
export * from './errors';
export * from './network-policy-cluster';
export * from './vpc-cni-configuration';
export * from './vpc-cni-network-policy';
export * from './enforcement-agent';
export * from './policy-agent';
