/** scripts/build-native.js, the install-time build: without libbpf it must explain and still let `npm ci` succeed. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'build-native.js');

describe('scripts/build-native.js', () => {
  test('without libbpf headers it prints how to install them and exits 0', () => {
    const run = spawnSync(process.execPath, [SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, EKS_NETPOL_INCLUDE_DIR: '/nonexistent-include', EKS_NETPOL_SKIP_NATIVE: '' },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/native eBPF binding NOT built: libbpf development files are missing/);
    expect(run.stderr).toMatch(/Missing: \/nonexistent-include\/bpf\/libbpf\.h/);
    expect(run.stderr).toMatch(/apt-get install libbpf-dev libelf-dev zlib1g-dev/);
  });

  test('EKS_NETPOL_SKIP_NATIVE=1 skips the build and says so', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, EKS_NETPOL_SKIP_NATIVE: '1' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/EKS_NETPOL_SKIP_NATIVE=1, not building the native binding/);
  });

  test('EKS_NETPOL_REQUIRE_NATIVE=1 (the agent image) turns a missing header into a failure', () => {
    const run = spawnSync(process.execPath, [SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, EKS_NETPOL_INCLUDE_DIR: '/nonexistent-include', EKS_NETPOL_SKIP_NATIVE: '', EKS_NETPOL_REQUIRE_NATIVE: '1' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/libbpf development files are missing/);
  });

  test('the notice names the script by its full path, so a user of the installed package can run it', () => {
    const run = spawnSync(process.execPath, [SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, EKS_NETPOL_INCLUDE_DIR: '/nonexistent-include', EKS_NETPOL_SKIP_NATIVE: '' },
    });
    expect(run.stderr).toContain(`node ${SCRIPT}`);
  });
});
