import * as path from 'path';
import { App } from 'cdk8s';
import { writeGitOpsTree } from '../../constructs';
import { SeedChart } from '../seed/seed';
import { ShopChart } from '../shop/shop';

/** The examples as one cdk8s app: the shop, and the seed scenario with DNS and HTTPS allowed. */
export function buildExamples(): App {
  const app = new App();
  new ShopChart(app, 'shop');
  new SeedChart(app, 'seed', { allowDnsAndHttps: true });
  return app;
}

// `npm run synth:gitops` runs the compiled file (dist/examples/gitops/synth.js) and writes dist/gitops/.
if (require.main === module) {
  const out = process.argv[2] ?? path.resolve(__dirname, '..', '..', 'gitops');
  const written = writeGitOpsTree(buildExamples(), out);
  process.stdout.write(`${written.length} files written to ${out}\n`);
}
