/**
 * The entry point the container runtime runs (through the launcher `eks-netpol agent install-cni` writes into the
 * CNI bin directory): the network configuration on stdin, CNI_* in the environment, the result or a CNI error on
 * stdout, warnings on stderr.
 */
import * as fs from 'fs';
import { runPlugin } from './plugin';

async function main(): Promise<number> {
  let stdin = '';
  try {
    stdin = fs.readFileSync(0, 'utf8');
  } catch {
    // No stdin (VERSION may come without one): the configuration checks report what is missing.
  }
  const output = await runPlugin({ env: process.env, stdin });
  process.stderr.write(output.stderr);
  process.stdout.write(output.stdout);
  return output.exitCode;
}

main().then((code) => { process.exitCode = code; });
