/** `eks-netpol doctor`: can a live EKS cluster enforce NetworkPolicies? Checks, facts gathering and rendering. */
export * from './types';
export * from './checks';
export * from './errors';
export * from './gather';
export * from './policy-usage';
export * from './report';
export * from './vpc-cni-versions';
