/** The constructs users import: cdk8s (k8s/) and aws-cdk-lib (aws/). */
export * from './k8s';
export * from './aws';
export type { PolicyAgentResources, PolicyAgentSettings } from './private/policy-agent-manifests';
