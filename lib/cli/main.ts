#!/usr/bin/env node
/**
 * The `eks-netpol` command. Each subcommand lives in its own module and is loaded only when it runs, so that
 * `reach` never pays for aws-cdk-lib or the AWS SDK.
 */
import { findUpwards } from '../package-files';
import { Command, CliIO, EXIT, processIO, UsageError } from './io';

/** Subcommands: name -> [summary, loader]. Add a line here for a new command. */
const COMMANDS: Record<string, [string, () => Command]> = {
  reach: ['who can reach whom, and why, from manifests', () => require('./commands/reach').reach],
  diff: ['which connections a manifest change newly allows or denies, and why', () => require('./commands/diff').diff],
  lint: ['catch the policy mistakes that break production on EKS', () => require('./commands/lint').lint],
  lab: ['prove in the kernel what reach predicts (root)', () => require('./commands/lab').lab],
  doctor: ['can a live EKS cluster enforce NetworkPolicies?', () => require('./commands/doctor').doctor],
  agent: ['the node agent: program this node\'s kernel from manifests or the API (root)', () => require('./commands/agent').agent],
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, [summary]]) => `  ${name.padEnd(width)}  ${summary}`);
  return `Usage: eks-netpol <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'eks-netpol <command> --help' for a command's options.\n`;
}

/** The package's version; the file sits two levels up from source and three from dist/. */
function packageVersion(): string {
  const found = findUpwards('package.json');
  return found ? JSON.parse(require('fs').readFileSync(found, 'utf8')).version : 'unknown';
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT.INVALID : EXIT.OK;
  }
  if (name === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`eks-netpol: unknown command "${name}".\n${usage()}`);
    return EXIT.INVALID;
  }
  try {
    return await entry[1]()(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`eks-netpol ${name}: ${error.message}\nRun 'eks-netpol ${name} --help' for usage.\n`);
      return EXIT.INVALID;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`eks-netpol ${name}: internal error: ${message}\n`);
    if (io.env.EKS_NETPOL_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return EXIT.FAILED;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
