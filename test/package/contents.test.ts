/**
 * What `npm pack` ships: exactly what a user needs (the compiled constructs, engine, CLI and jest helpers with their
 * declarations, and the C sources the native binding and the eBPF object are built from), nothing else. The list
 * comes from `npm pack --dry-run --json`, so it follows package.json's `files` as npm reads it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

interface Packed {
  readonly size: number;
  readonly files: readonly { readonly path: string }[];
}

/** The paths in the tarball, relative to the package root. */
function packedFiles(): { paths: string[]; size: number } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
  const [packed] = JSON.parse(out) as Packed[];
  return { paths: packed.files.map((f) => f.path).sort(), size: packed.size };
}

/** Source files tracked by git under `dir` whose name ends with `ext` (tests excluded). */
function tracked(dir: string, ext: string): string[] {
  const out = execFileSync('git', ['ls-files', '--', dir], { cwd: REPO, encoding: 'utf8' });
  return out.split('\n').filter((file) => file.endsWith(ext) && !file.endsWith('.d.ts') && !/(^|\/)tests?\//.test(file));
}

/** Every path the tarball may hold. Anything else (bench, examples, generated trees, tests, maps) is a stray. */
const ALLOWED: readonly RegExp[] = [
  /^(package\.json|README\.md|LICENSE)$/,
  /^dist\/index\.(js|d\.ts)$/,
  /^dist\/(lib|constructs)\/.+\.(js|d\.ts)$/,
  /^bpf\/Makefile$/,
  /^bpf\/[a-z_]+\.bpf\.c$/,
  /^bpf\/include\/[a-z_]+\.h$/,
  /^native\/[a-z_]+\.[ch]$/,
  /^binding\.gyp$/,
  /^scripts\/build-native\.js$/,
];

describe('npm pack', () => {
  const { paths, size } = packedFiles();
  const shipped = new Set(paths);

  test('ships no path outside the allow-list (no bench, examples, generated trees, tests or source maps)', () => {
    expect(paths.filter((p) => !ALLOWED.some((pattern) => pattern.test(p)))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(bench|examples|gitops|tests?|build|cdk\.out)\//.test(p))).toEqual([]);
  });

  test('ships every entry point package.json names: main, types, bin and each export', () => {
    const exportTargets = Object.values(manifest.exports as Record<string, string | Record<string, string>>)
      .flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    const entries = [manifest.main, manifest.types, ...Object.values(manifest.bin as Record<string, string>), ...exportTargets]
      .map((entry: string) => entry.replace(/^\.\//, ''));
    expect(entries.filter((entry) => !shipped.has(entry))).toEqual([]);
    // Without the build, dist/ is empty and every entry above is missing: `npm run build` first.
    expect(entries.length).toBeGreaterThan(6);
  });

  test('ships the compiled form of every lib/ and constructs/ source, with its declarations', () => {
    const sources = [...tracked('lib', '.ts'), ...tracked('constructs', '.ts')];
    expect(sources.length).toBeGreaterThan(100);
    const missing = sources.flatMap((source) => {
      const base = `dist/${source.replace(/\.ts$/, '')}`;
      return [`${base}.js`, `${base}.d.ts`].filter((compiled) => !shipped.has(compiled));
    });
    expect(missing).toEqual([]);
  });

  test('ships what the install script and the native binding build from', () => {
    const script = /^node (\S+)$/.exec(manifest.scripts.install);
    expect(script).not.toBeNull();
    const gyp = JSON.parse(fs.readFileSync(path.join(REPO, 'binding.gyp'), 'utf8')) as { targets: { sources: string[] }[] };
    const headers = tracked('native', '.h');
    const needed = [script![1], 'binding.gyp', ...gyp.targets.flatMap((t) => t.sources), ...headers];
    expect(needed.filter((file) => !shipped.has(file))).toEqual([]);
  });

  test('ships the eBPF sources and their Makefile, so `make -C node_modules/eks-netpol/bpf` builds the object', () => {
    const needed = ['bpf/Makefile', ...tracked('bpf', '.bpf.c'), ...tracked('bpf/include', '.h')];
    expect(needed.length).toBeGreaterThan(5);
    expect(needed.filter((file) => !shipped.has(file))).toEqual([]);
  });

  test('stays small: the tarball is under 500 kB', () => {
    // 352 kB when this was written; a jump means something large slipped into `files`.
    expect(size).toBeLessThan(500_000);
  });
});
