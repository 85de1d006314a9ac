/**
 * Compiles lib/cni on its own into a directory, as `npm run build` compiles it into dist/lib/cni: the plugin must run
 * from there without node_modules.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Compiles main.ts and install.ts (and what they import) of lib/cni into `outDir`. */
export function compilePlugin(outDir: string): void {
  const cni = path.join(ROOT, 'lib', 'cni');
  execFileSync('npx', ['tsc', '--outDir', outDir, '--rootDir', cni, '--module', 'commonjs', '--target', 'es2022', '--types', 'node', '--strict',
    '--skipLibCheck', path.join(cni, 'main.ts'), path.join(cni, 'install.ts')], { cwd: ROOT, stdio: 'pipe' });
}
