/**
 * The README's lint section must not lie: its rules table lists every rule of the registry, in order, with the
 * registry's severity; and every ```console block in it is a command and its exact output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../lib/lint';
import { ROOT, runLint } from './run-cli';

const section = /<!-- section:lint -->([\s\S]*?)<!-- \/section:lint -->/.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';

test('the README rules table has one row per rule, in registry order, with its severity', () => {
  const table = section.slice(section.indexOf('### Rules'), section.indexOf('### How the rules decide'));
  const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \| (\w+)/gm)].map((m) => [m[1], m[2]]);
  expect(rows).toEqual(RULES.map((r) => [r.id, r.severity]));
});

const examples = [...section.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => {
  const [command, ...output] = m[1].split('\n');
  return { command: command.replace(/^\$ /, ''), expected: output.join('\n') };
});

test('the README shows lint examples to check', () => {
  expect(examples.length).toBeGreaterThanOrEqual(2);
});

test.each(examples.map((e) => [e.command, e]))('README: %s', async (_command, example) => {
  const { command, expected } = example as { command: string; expected: string };
  const [program, sub, ...argv] = command.split(/\s+/);
  expect([program, sub]).toEqual(['eks-netpol', 'lint']);
  const { stdout } = await runLint(argv);
  expect(stdout).toBe(expected);
});
