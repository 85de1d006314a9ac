/**
 * Loading the native binding (build/Release/netpol.node, built from native/ by scripts/build-native.js) and its raw
 * function signatures. Everything else uses the typed wrappers in binding.ts.
 */
import * as fs from 'node:fs';
import { findUpwards } from '../package-files';
import * as path from 'node:path';
import { BpfError, BpfErrorDetails } from './bpf-error';

/** A map as the binding describes it. */
export interface NativeMapDescription {
  readonly name: string;
  readonly fd: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

/** A program as the binding describes it. */
export interface NativeProgramDescription {
  readonly name: string;
  readonly section: string;
  readonly fd: number;
  readonly type: number;
}

/** An opaque handle owned by the native side (a bpf_object or a ring buffer reader). */
export type NativeHandle = { readonly __native: unique symbol };

/** The functions native/ registers (see each C function's comment for the contract). */
export interface NativeBinding {
  setErrorClass(ctor: new (details: BpfErrorDetails) => Error): void;
  loadObject(path: string, mapPinDir: string): {
    handle: NativeHandle;
    maps: NativeMapDescription[];
    programs: NativeProgramDescription[];
  };
  closeObject(handle: NativeHandle): void;
  pin(fd: number, path: string): void;
  openPinned(path: string): number;
  closeFd(fd: number): void;
  mapInfo(fd: number): { id: number; name: string; type: number; keySize: number; valueSize: number; maxEntries: number; flags: number };
  createMap(type: number, keySize: number, valueSize: number, maxEntries: number, flags: number, name: string, innerMapFd: number): number;
  testRun(progFd: number, packet: Buffer, repeat: number): { retval: number; durationNs: number; packet: Buffer };
  mapLookup(fd: number, key: Buffer, valueSize: number): Buffer | null;
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags: number): void;
  mapDelete(fd: number, key: Buffer): boolean;
  mapUpdateBatch(fd: number, keys: Buffer, values: Buffer, count: number, flags: number): number;
  mapDeleteBatch(fd: number, keys: Buffer, count: number, ignoreMissing: boolean): number;
  mapDump(fd: number, keySize: number, valueSize: number): { keys: Buffer; values: Buffer; count: number };
  ifIndex(name: string): number;
  attachTcx(progFd: number, ifindex: number, direction: 'ingress' | 'egress'): number;
  detachLink(linkFd: number): void;
  attachTc(progFd: number, ifindex: number, direction: 'ingress' | 'egress', priority: number, handle: number): { priority: number; handle: number };
  detachTc(ifindex: number, direction: 'ingress' | 'egress', priority: number, handle: number): void;
  removeClsact(ifindex: number): void;
  ringBufferOpen(mapFd: number, callback: ((records: Buffer[]) => void) | null): NativeHandle;
  ringBufferPoll(reader: NativeHandle, timeoutMs: number): Buffer[];
  ringBufferClose(reader: NativeHandle): void;
}

/** The package root: the nearest directory above this file holding binding.gyp (works from lib/ and dist/lib/). */
function packageRoot(): string | undefined {
  const gyp = findUpwards('binding.gyp');
  return gyp && path.dirname(gyp);
}

let cached: { binding?: NativeBinding; reason?: string } | undefined;

function tryLoad(): { binding?: NativeBinding; reason?: string } {
  if (process.platform !== 'linux') return { reason: 'the eBPF data plane needs Linux' };
  // EKS_NETPOL_NATIVE names the addon explicitly (an agent image that keeps it elsewhere).
  const root = packageRoot();
  const file = process.env.EKS_NETPOL_NATIVE || (root && path.join(root, 'build', 'Release', 'netpol.node'));
  const rebuild = `node ${path.join(root ?? '.', 'scripts', 'build-native.js')}`;
  if (!file || !fs.existsSync(file)) {
    return {
      reason: 'the native eBPF binding is not built (build/Release/netpol.node is missing): install libbpf-dev, '
        + `libelf-dev and zlib1g-dev (Debian; bash .ci/setup in a checkout), then run: ${rebuild}`,
    };
  }
  try {
    const binding = require(file) as NativeBinding;
    binding.setErrorClass(BpfError);
    return { binding };
  } catch (error) {
    return { reason: `the native eBPF binding at ${file} failed to load: ${(error as Error).message}. Rebuild it: ${rebuild}` };
  }
}

/** Why the binding cannot be used here, or undefined when it can. */
export function nativeUnavailableReason(): string | undefined {
  cached ??= tryLoad();
  return cached.reason;
}

/** The loaded binding; throws an Error saying how to build it when it is missing. */
export function nativeBinding(): NativeBinding {
  cached ??= tryLoad();
  if (!cached.binding) throw new Error(`eks-netpol: ${cached.reason}`);
  return cached.binding;
}
