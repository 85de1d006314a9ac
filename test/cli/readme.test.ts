/**
 * The README's `reach` section must not lie: every ```console block in it is a command and its exact output, run
 * here on examples/reach. A block reads `$ eks-netpol ARGS...` (or `$ cat FILE... | eks-netpol ARGS...`, the files
 * joined as cat joins them), then the lines it prints on stdout.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './fake-io';

const ROOT = path.join(__dirname, '..', '..');

interface Example {
  readonly command: string;
  readonly expected: string;
}

function readmeExamples(): Example[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /<!-- section:reach -->([\s\S]*?)<!-- \/section:reach -->/.exec(readme)?.[1] ?? '';
  const examples: Example[] = [];
  for (const match of section.matchAll(/```console\n([\s\S]*?)```/g)) {
    const [first, ...rest] = match[1].split('\n');
    examples.push({ command: first.replace(/^\$ /, ''), expected: rest.join('\n') });
  }
  return examples;
}

const examples = readmeExamples();

test('the README shows reach examples to check', () => {
  expect(examples.length).toBeGreaterThanOrEqual(5);
});

test.each(examples.map((e) => [e.command, e]))('README: %s', async (_command, example) => {
  const { command, expected } = example as Example;
  const pipe = /^cat ((?:\S+ )+)\| (.*)$/.exec(command);
  const invocation = pipe ? pipe[2] : command;
  const stdin = pipe ? pipe[1].trim().split(' ').map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('') : undefined;
  const [program, ...argv] = invocation.split(/\s+/);
  expect(program).toBe('eks-netpol');
  const { code, stdout, stderr } = await runCli(argv, { cwd: ROOT, stdin });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toBe(expected);
});
