/**
 * agent-image/Dockerfile, checked statically (no Docker engine here): its stages, the scripts they run (the same ones
 * package.json and CI declare, read from those files so that a change on either side fails here), what the runtime
 * stage carries, and the ignore file that shapes the build context.
 */
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { AGENT_NODE_OPTIONS } from '../../lib/agent/node-options';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly from: string;
  readonly name: string;
  readonly instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped; global ARGs before the first FROM kept apart. */
function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.trimEnd().endsWith('\\')) {
      pending += line.trimEnd().slice(0, -1) + ' ';
      continue;
    }
    joined.push((pending + line).trim());
    pending = '';
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of joined.filter(Boolean)) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(instruction)!;
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      if (!match) throw new Error(`FROM without a stage name: ${instruction}`);
      stages.push({ from: match[1], name: match[2], instructions: [] });
    } else if (stages.length === 0) {
      const [name, value] = args.split('=');
      globalArgs.set(name, value);
    } else {
      stages[stages.length - 1].instructions.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') });
    }
  }
  return { globalArgs, stages };
}

const dockerfile = read('agent-image/Dockerfile');
const { globalArgs, stages } = parseDockerfile(dockerfile);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const runs = (name: string): string[] => stage(name).instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => i.args.split('&&').map((c) => c.trim()));
const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
const ignored = read('agent-image/Dockerfile.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

describe('agent-image/Dockerfile', () => {
  test('it has three stages: bpf (clang), build (npm) and a slim runtime, each from a base image argument', () => {
    expect(stages.map((s) => s.name)).toEqual(['bpf', 'build', 'runtime']);
    expect(stages.map((s) => s.from)).toEqual(['${DEBIAN_IMAGE}', '${NODE_BUILD_IMAGE}', '${NODE_IMAGE}']);
    expect(globalArgs.get('NODE_IMAGE')).toBe('node:20-bookworm-slim');
    expect(globalArgs.get('DEBIAN_IMAGE')).toBe('debian:bookworm-slim');
    expect(globalArgs.get('NODE_BUILD_IMAGE')).toBe('node:20-bookworm');
  });

  test('no digest is invented: defaults are tags, and the file says how to pin them', () => {
    for (const value of globalArgs.values()) expect(value).not.toMatch(/@sha256:/);
    expect(dockerfile).not.toMatch(/sha256:[0-9a-f]{64}/);
    expect(dockerfile).toContain('docker buildx imagetools inspect');
  });

  test('the bpf stage runs the Makefile that `npm run build:bpf` runs, with clang and bpftool installed', () => {
    // `npm run build:bpf` is a wrapper (it tells a machine without clang what to install) around `make -C bpf`; the
    // clang-only stage has no Node, so it runs the same Makefile directly.
    expect(scripts['build:bpf']).toBe('node scripts/build-bpf.js');
    expect(read('scripts/build-bpf.js')).toMatch(/spawnSync\('make', \['-C', path\.join\(root, 'bpf'\)\]/);
    expect(runs('bpf')).toContain('make -C bpf');
    const makefile = read('bpf/Makefile');
    expect(makefile).toMatch(/CLANG \?= clang/);
    expect(makefile).toMatch(/BPFTOOL \?= bpftool/);
    const install = runs('bpf').find((c) => c.startsWith('apt-get install'))!;
    for (const pkg of ['clang', 'bpftool', 'libbpf-dev', 'make']) expect(install.split(' ')).toContain(pkg);
  });

  test('the build stage runs npm ci without any install script, builds the binding by name (required), then npm run build', () => {
    const commands = runs('build');
    const ci = read('.ci/setup').split('\n').find((l) => l.startsWith('npm ci'))!;
    // The same install as CI, with every dependency's install script off: the image must not need one.
    expect(commands).toContain(ci.trim().replace('npm ci', 'npm ci --ignore-scripts'));
    expect(commands).toContain(`EKS_NETPOL_REQUIRE_NATIVE=1 ${scripts.install}`);
    expect(commands).toContain('npm run build');
    expect(scripts.install).toBe('node scripts/build-native.js');
    expect(scripts.build).toBe('tsc -p tsconfig.build.json');
    const install = commands.find((c) => c.startsWith('apt-get install'))!;
    for (const pkg of ['libbpf-dev', 'libelf-dev', 'zlib1g-dev']) expect(install.split(' ')).toContain(pkg);
    // npm ci and the binding build run before the sources arrive, so what the build script reads must be copied first.
    const order = stage('build').instructions.map((i) => `${i.keyword} ${i.args}`);
    const ciAt = order.findIndex((i) => i.startsWith('RUN npm ci'));
    for (const needed of ['binding.gyp', 'scripts/', 'native/']) {
      expect(order.findIndex((i) => i.startsWith('COPY') && i.includes(needed))).toBeLessThan(ciAt);
    }
    expect(commands).toContain('npm prune --omit=dev --no-audit --no-fund');
  });

  test('the build stage copies every directory tsconfig.build.json compiles, and never the whole context', () => {
    const copied = stage('build').instructions.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(' ').slice(0, -1)).map((c) => c.replace(/\/$/, ''));
    const include = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    expect(include.filter((entry) => !copied.includes(entry))).toEqual([]);
    expect(copied).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json']));
    expect(copied).not.toContain('.');
  });

  test('the runtime stage has libbpf, libelf, zlib and iproute2, and carries dist, the binding, the object and production node_modules', () => {
    const install = runs('runtime').find((c) => c.startsWith('apt-get install'))!;
    for (const pkg of ['libbpf1', 'libelf1', 'zlib1g', 'iproute2']) expect(install.split(' ')).toContain(pkg);
    expect(install).not.toMatch(/-dev\b|clang/);
    const copies = stage('runtime').instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toEqual(expect.arrayContaining([
      '--from=build /src/node_modules/ node_modules/',
      '--from=build /src/dist/ dist/',
      '--from=build /src/build/Release/netpol.node build/Release/netpol.node',
      '--from=bpf /src/bpf/build/netpol.bpf.o bpf/build/netpol.bpf.o',
    ]));
    // lib/dataplane/native.ts finds the binding next to binding.gyp, the package root marker.
    expect(copies.some((c) => c.startsWith('--from=build') && c.includes('binding.gyp'))).toBe(true);
    expect(read('lib/dataplane/native.ts')).toContain("'binding.gyp'");
  });

  test('the entrypoint is the agent command of the compiled CLI', () => {
    const entrypoint = stage('runtime').instructions.find((i) => i.keyword === 'ENTRYPOINT')!;
    expect(JSON.parse(entrypoint.args)).toEqual(['node', 'dist/lib/cli/main.js', 'agent']);
    expect(fs.existsSync(path.join(ROOT, 'lib/cli/main.ts'))).toBe(true);
    expect(JSON.parse(read('package.json')).bin['eks-netpol']).toBe('dist/lib/cli/main.js');
  });

  test('the runtime stage runs node with the heap settings bench:agent measures the agent with', () => {
    const env = stage('runtime').instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args);
    expect(env).toContain(`NODE_OPTIONS="${AGENT_NODE_OPTIONS}"`);
  });

  test('the image runs as a non-root user by default and asks for no privileged mode', () => {
    const user = stage('runtime').instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(user).toEqual(['65532:65532']);
    expect(dockerfile).not.toMatch(/--privileged|privileged:\s*true/);
    expect(dockerfile).not.toMatch(/security=insecure/);
  });
});

describe('agent-image/Dockerfile.dockerignore', () => {
  test('it keeps host build output and history out of the context', () => {
    for (const entry of ['node_modules', 'dist', 'cdk.out', '.git', 'build', 'bpf/build']) expect(ignored).toContain(entry);
  });

  test('nothing the Dockerfile copies from the context is ignored, and all of it exists', () => {
    const sources = stages.flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(' ').slice(0, -1))
      .filter((source) => source !== '.');
    expect(sources.length).toBeGreaterThan(4);
    for (const source of sources) {
      const clean = source.replace(/\/$/, '');
      expect(fs.existsSync(path.join(ROOT, clean))).toBe(true);
      for (const pattern of ignored) expect(clean === pattern || clean.startsWith(`${pattern}/`)).toBe(false);
    }
  });
});

/**
 * The packages a TypeScript file loads, following relative imports: `import ... from`, `export ... from`, require()
 * and import() (type-only imports left out). Bare specifiers are reduced to their package name.
 */
function packagesLoadedBy(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const pattern = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+['"]([^'"]+)['"]|[^.\w]require\(\s*['"]([^'"]+)['"]\s*\)|[^\w]import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const resolveTs = (from: string, spec: string): string => {
    const base = path.resolve(path.dirname(from), spec);
    const found = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
    if (!found) throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${spec}`);
    return found;
  };
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(pattern)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (spec.startsWith('.')) {
        if (!spec.endsWith('.json')) walk(resolveTs(file, spec));
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!builtinModules.includes(name.replace(/^node:/, '')) && !packages.has(name)) packages.set(name, path.relative(ROOT, file));
    }
  };
  walk(path.join(ROOT, entry));
  return packages;
}

describe('the runtime stage\'s node_modules', () => {
  test('everything the CLI (and so `agent`) loads is a production dependency, which `npm prune --omit=dev` keeps', () => {
    const dependencies = Object.keys(JSON.parse(read('package.json')).dependencies as Record<string, string>);
    const loaded = packagesLoadedBy('lib/cli/main.ts');
    expect(loaded.size).toBeGreaterThan(0);
    const missing = [...loaded].filter(([name]) => !dependencies.includes(name)).map(([name, file]) => `${name} (loaded by ${file})`);
    expect(missing).toEqual([]);
  });
});

