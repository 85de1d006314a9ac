/**
 * A record of what each lab run creates, so that nothing is left behind: a run removes its own on exit, on Ctrl-C
 * and on failure, and the next run removes what a crashed run (its process gone) left.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ip } from './shell';

/** Where run records live: tmpfs, so a reboot clears them together with the namespaces they describe. */
export const REGISTRY_DIR = '/run/eks-netpol/lab';

/** What one run has created. */
export interface RunRecord {
  /** The run's process; the run is stale when it is gone. */
  pid: number;
  namespaces: string[];
  /** bpffs directories holding the run's pins. */
  pinDirs: string[];
  /** Processes the run started (listeners, enforcers). */
  pids: number[];
}

export class RunRegistry {
  private readonly file: string;
  readonly record: RunRecord;

  constructor(readonly runId: string, dir = REGISTRY_DIR) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${runId}.json`);
    this.record = { pid: process.pid, namespaces: [], pinDirs: [], pids: [] };
    this.save();
  }

  /** Notes something created, BEFORE creating it, so a crash in between still leaves a record. */
  add(kind: 'namespaces' | 'pinDirs' | 'pids', value: string | number): void {
    (this.record[kind] as (string | number)[]).push(value);
    this.save();
  }

  /** Removes everything the run created and its record. Never throws; returns what could not be removed. */
  cleanUp(): string[] {
    const failures = removeRun(this.record);
    fs.rmSync(this.file, { force: true });
    return failures;
  }

  private save(): void {
    fs.writeFileSync(this.file, JSON.stringify(this.record));
  }

  /** Removes what runs whose process is gone left behind; returns their ids. */
  static reapStale(dir = REGISTRY_DIR): string[] {
    if (!fs.existsSync(dir)) return [];
    const reaped: string[] = [];
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const file = path.join(dir, name);
      let record: RunRecord;
      try {
        record = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (processAlive(record.pid)) continue;
      removeRun(record);
      fs.rmSync(file, { force: true });
      reaped.push(name.replace(/\.json$/, ''));
    }
    return reaped;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeRun(record: RunRecord): string[] {
  const failures: string[] = [];
  for (const pid of record.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // Deleting a namespace deletes its veths, which detaches the programs attached to them.
  for (const namespace of record.namespaces) {
    try {
      ip('netns', 'del', namespace);
    } catch (error) {
      if (fs.existsSync(`/run/netns/${namespace}`)) failures.push(`network namespace ${namespace}: ${(error as Error).message}`);
    }
  }
  for (const dir of record.pinDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      failures.push(`pins in ${dir}: ${(error as Error).message}`);
    }
  }
  return failures;
}
