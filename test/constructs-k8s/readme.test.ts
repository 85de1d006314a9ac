import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ShopChart } from '../../examples/shop/shop';
import { clusterOf, reachabilityText } from '../../lib/testing';

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The code block right after each `<!-- marker: path -->` comment. */
function blocksAfter(marker: string): { target: string; body: string }[] {
  const pattern = new RegExp(`<!-- ${marker}: (\\S+) -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return [...README.matchAll(pattern)].map((m) => ({ target: m[1], body: m[2] }));
}

describe('the README examples are the example files', () => {
  const includes = blocksAfter('include');

  test('the constructs and testing sections include the example files', () => {
    expect(includes.map((i) => i.target)).toEqual(expect.arrayContaining(['examples/seed/seed.ts', 'examples/shop/shop.ts', 'examples/seed/seed.test.ts']));
  });

  test.each(includes.map((i) => [i.target, i.body] as const))('the README copy of %s is identical to the file', (target, body) => {
    expect(body).toEqual(fs.readFileSync(path.join(ROOT, target), 'utf8').replace(/\n$/, ''));
  });

  test('the reachability text shown for the shop is what the engine prints', () => {
    const [shown] = blocksAfter('reachability');
    expect(shown.target).toBe('examples/shop/shop.ts');
    expect(shown.body).toEqual(reachabilityText(clusterOf(new ShopChart(Testing.app(), 'shop'))));
  });
});
