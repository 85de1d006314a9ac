// `node out/gitops.js DIR`: the chart as a GitOps tree (one folder per namespace, kustomizations).
import { App } from 'cdk8s';
import { writeGitOpsTree } from 'eks-netpol';
import { ShopChart } from './shop';

const app = new App();
new ShopChart(app, 'shop');
const written = writeGitOpsTree(app, process.argv[2] ?? 'gitops');
console.log(`${written.length} files written`);
