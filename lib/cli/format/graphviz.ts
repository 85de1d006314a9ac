import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { renderDot } from './dot';
import { Formatter } from './types';

type Env = Readonly<Record<string, string | undefined>>;

/** What to print when Graphviz is missing: how to install it, and the format that needs nothing. */
export const DOT_MISSING_MESSAGE = "--output svg needs Graphviz's dot on PATH: apt-get install graphviz (Debian) / brew install graphviz; or use --output dot";

/** Graphviz's `dot` is not on PATH. */
export class GraphvizMissingError extends Error {
  constructor() {
    super(DOT_MISSING_MESSAGE);
    this.name = 'GraphvizMissingError';
  }
}

/** `dot` ran and failed: its exit status (or signal) and what it wrote on stderr. */
export class GraphvizFailedError extends Error {
  constructor(readonly status: string, readonly stderr: string) {
    super(`dot -Tsvg failed (${status})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'GraphvizFailedError';
  }
}

/**
 * The absolute path of executable `name` on `env.PATH` (with `env.PATHEXT`'s extensions on Windows), or undefined
 * when no directory of PATH holds it.
 */
export function findExecutable(name: string, env: Env): string | undefined {
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // Not here: try the next directory.
      }
    }
  }
  return undefined;
}

/**
 * Renders DOT text to SVG with `dot -Tsvg`, the text on its stdin. Throws GraphvizMissingError when `dot` is not on
 * `env.PATH`, and GraphvizFailedError when it exits non-zero. The SVG is returned whole, so a failure never leaves
 * half a document on stdout.
 */
export function renderSvg(dotText: string, env: Env): Promise<string> {
  const dot = findExecutable('dot', env);
  if (!dot) return Promise.reject(new GraphvizMissingError());
  return new Promise((resolve, reject) => {
    const child = spawn(dot, ['-Tsvg'], { env: { ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new GraphvizMissingError() : new GraphvizFailedError(error.message, ''));
    });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new GraphvizFailedError(signal ? `killed by ${signal}` : `exit status ${code}`, stderr));
    });
    // A dot that dies before reading all of its input breaks the pipe; 'close' then reports its status.
    child.stdin.on('error', () => undefined);
    child.stdin.end(dotText);
  });
}

/** `reach --output svg`: the graph of `--output dot`, drawn by Graphviz. */
export const writeSvg: Formatter = async (result, sink, { env }) => {
  const { text, probes } = renderDot(result);
  sink.push(await renderSvg(text, env ?? process.env));
  await sink.flush();
  return probes;
};
