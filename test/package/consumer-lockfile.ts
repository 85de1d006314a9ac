/**
 * A package-lock.json for the consumer test's temporary project, cut from this repository's own lockfile.
 *
 * `npm ci` here fills the npm cache with tarballs only (no registry documents), so an `npm install --offline` that has
 * to resolve version ranges finds nothing. A lockfile needs no resolution: `npm ci --offline` takes each package by
 * its integrity from the cache. Every package the consumer needs is one this repository locks (the frameworks are
 * our dev dependencies, eks-netpol's own dependencies are ours), so the consumer's tree is the part of our tree
 * reachable from its dependencies, at the same paths, plus the packed eks-netpol tarball.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** What a package needs installed: its dependencies, optional ones, and its required (non-optional) peers. */
function needs(entry: LockEntry): { name: string; optional: boolean }[] {
  const required = Object.keys({ ...entry.dependencies }).map((name) => ({ name, optional: false }));
  const optional = Object.keys({ ...entry.optionalDependencies }).map((name) => ({ name, optional: true }));
  const peers = Object.keys({ ...entry.peerDependencies })
    .map((name) => ({ name, optional: entry.peerDependenciesMeta?.[name]?.optional === true }));
  return [...required, ...optional, ...peers];
}

/** Node's lookup from `at` (a lockfile path such as node_modules/a/node_modules/b): nearest node_modules/name up. */
function locate(packages: Record<string, LockEntry>, at: string, name: string): string | undefined {
  for (let dir = at; ; ) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent < 0 ? '' : dir.slice(0, parent);
  }
}

/** A copy of a lock entry without the flags that described its place in our tree (dev, peer), not the consumer's. */
function asConsumerEntry(entry: LockEntry): LockEntry {
  return Object.fromEntries(Object.entries(entry).filter(([key]) => !['dev', 'devOptional', 'peer'].includes(key)));
}

export interface ConsumerProject {
  readonly name: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

/**
 * The consumer's lockfile: `project`'s root, the eks-netpol tarball at `tarballPath` (referred to as `tarballSpec`,
 * e.g. `file:../eks-netpol-0.1.0.tgz`) with the package.json inside it, and every package reachable from them in
 * `repoLock`. Throws naming the package when a required one is not in our lockfile.
 */
export function consumerLockfile(
  repoLock: Lockfile,
  project: ConsumerProject,
  tarball: { path: string; spec: string; manifest: LockEntry & { name: string; version: string } },
): Lockfile {
  const packages: Record<string, LockEntry> = {
    '': { name: project.name, version: '1.0.0', dependencies: project.dependencies, devDependencies: project.devDependencies },
  };
  const ownPath = `node_modules/${tarball.manifest.name}`;
  const own: LockEntry = {
    version: tarball.manifest.version,
    resolved: tarball.spec,
    integrity: `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball.path)).digest('base64')}`,
    ...pick(tarball.manifest, ['license', 'dependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines']),
    hasInstallScript: tarball.manifest.scripts !== undefined && 'install' in (tarball.manifest.scripts as object),
  };
  const queue: { at: string; entry: LockEntry }[] = [{ at: '', entry: packages[''] }, { at: ownPath, entry: own }];
  packages[ownPath] = own;
  for (let item = queue.shift(); item; item = queue.shift()) {
    const wanted = item.at === '' ? [...Object.keys(project.dependencies), ...Object.keys(project.devDependencies)]
      .filter((name) => name !== tarball.manifest.name).map((name) => ({ name, optional: false })) : needs(item.entry);
    for (const { name, optional } of wanted) {
      const found = locate(repoLock.packages, item.at, name);
      if (!found) {
        if (optional) continue;
        throw new Error(`${name} (needed by ${item.at || 'the consumer project'}) is not in this repository's package-lock.json`);
      }
      if (packages[found]) continue;
      packages[found] = asConsumerEntry(repoLock.packages[found]);
      queue.push({ at: found, entry: repoLock.packages[found] });
    }
  }
  return { lockfileVersion: 3, requires: true, packages, name: project.name, version: '1.0.0' } as Lockfile;
}

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}
