import * as fs from 'fs';
import * as path from 'path';

/**
 * The path of `relative` in the nearest directory at or above `from` that holds it, or undefined. Code runs both
 * from the TypeScript sources (lib/...) and from dist/ (dist/lib/...), so package files such as package.json,
 * binding.gyp or bpf/build/netpol.bpf.o are found by walking up rather than by a fixed number of `..`.
 */
export function findUpwards(relative: string, from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The compiled data-plane object that `npm run build:bpf` writes, if it is built. */
export function builtObjectPath(): string | undefined {
  return findUpwards(path.join('bpf', 'build', 'netpol.bpf.o'));
}
