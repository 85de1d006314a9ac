/**
 * The README's command sections must not lie: every ```console block in them is a command and its exact output, run
 * here from the repository root. A block reads `$ eks-netpol ARGS...` (or `$ cat FILE... | eks-netpol ARGS...`, the
 * files joined as cat joins them), then the lines it prints on stdout. The command must exit 0 with nothing on stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './fake-io';

const ROOT = path.join(__dirname, '..', '..');

/** The README sections whose console blocks are checked, and how many blocks each must at least show. */
const SECTIONS: Record<string, number> = { reach: 5, diff: 3 };

interface Example {
  readonly section: string;
  readonly command: string;
  readonly expected: string;
}

function readmeExamples(section: string): Example[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const text = new RegExp(`<!-- section:${section} -->([\\s\\S]*?)<!-- /section:${section} -->`).exec(readme)?.[1] ?? '';
  const examples: Example[] = [];
  for (const match of text.matchAll(/```console\n([\s\S]*?)```/g)) {
    const [first, ...rest] = match[1].split('\n');
    examples.push({ section, command: first.replace(/^\$ /, ''), expected: rest.join('\n') });
  }
  return examples;
}

const examples = Object.keys(SECTIONS).flatMap(readmeExamples);

test.each(Object.entries(SECTIONS))('the README section %s shows at least %d examples to check', (section, least) => {
  expect(examples.filter((e) => e.section === section).length).toBeGreaterThanOrEqual(least);
});

test.each(examples.map((e) => [e.section, e.command, e]))('README %s: %s', async (_section, _command, example) => {
  const { command, expected } = example as Example;
  expect(command).toMatch(/^(cat (\S+ )+\| )?eks-netpol /);
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
