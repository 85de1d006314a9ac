// A user's CDK app with eks-netpol's own eBPF agent. The installed package carries no agent-image/ sources, so the
// image must come from the user's pipeline: AGENT_IMAGE names it, and without it synthesis must stop with that fix.
import { App, Stack } from 'aws-cdk-lib';
import { EnforcementAgent, NetworkPolicyCluster } from 'eks-netpol';

const app = new App();
const stack = new Stack(app, 'AgentCluster');
const imageUri = process.env.AGENT_IMAGE;
new NetworkPolicyCluster(stack, 'Cluster', { agent: EnforcementAgent.eksNetpol(imageUri ? { imageUri } : {}) });
app.synth();
