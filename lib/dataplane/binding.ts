/**
 * The typed face of the native binding: objects, maps, programs, attachments and ring buffers. Every failure is a
 * BpfError with errno, the operation and what it acted on.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { NativeHandle, NativeMapDescription, NativeProgramDescription, nativeBinding } from './native';

/** Map types this project uses (enum bpf_map_type). */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  RINGBUF: 27,
} as const;

/** BPF_F_NO_PREALLOC: LPM tries require it. */
export const BPF_F_NO_PREALLOC = 1;

/** How an update treats an existing entry: any (create or replace), noexist (create only), exist (replace only). */
export type UpdateMode = 'any' | 'noexist' | 'exist';
const UPDATE_FLAGS: Record<UpdateMode, number> = { any: 0, noexist: 1, exist: 2 };

const PERCPU_TYPES: ReadonlySet<number> = new Set([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, 21]);

let possibleCpus: number | undefined;

/** The number of possible CPUs (what per-CPU map values are sized by), from /sys/devices/system/cpu/possible. */
export function possibleCpuCount(): number {
  if (possibleCpus === undefined) {
    const text = fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    possibleCpus = 0;
    for (const part of text.split(',')) {
      const [first, last] = part.split('-').map(Number);
      possibleCpus += (last ?? first) - first + 1;
    }
  }
  return possibleCpus;
}

/** Many entries of one map, keys and values concatenated (the layout batch calls take). */
export interface EntryBatch {
  readonly keys: Buffer;
  readonly values: Buffer;
  readonly count: number;
}

/** One BPF map, through an fd owned by its object (BpfObject.map) or by this value (BpfMap.openPinned). */
export class BpfMap {
  /** Opens a pinned map. Close it when done. */
  static openPinned(pinPath: string): BpfMap {
    const native = nativeBinding();
    const fd = native.openPinned(pinPath);
    const info = native.mapInfo(fd);
    return new BpfMap({ ...info, fd }, true);
  }

  /** Creates a map outside any object (tests, scratch maps). Close it when done. */
  static create(options: { type: number; keySize: number; valueSize: number; maxEntries: number; flags?: number; name?: string }): BpfMap {
    const native = nativeBinding();
    const fd = native.createMap(options.type, options.keySize, options.valueSize, options.maxEntries,
      options.flags ?? 0, options.name ?? '', -1);
    return new BpfMap({ ...native.mapInfo(fd), fd }, true);
  }

  readonly fd: number;
  readonly name: string;
  /** enum bpf_map_type (see MapType). */
  readonly type: number;
  readonly keySize: number;
  /** The value size of one entry as the program sees it (per CPU for per-CPU maps). */
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Bytes of one value as user space reads it: per-CPU maps hold one 8-byte aligned slot per possible CPU. */
  readonly userValueSize: number;
  private closed = false;

  private constructor(description: NativeMapDescription, private readonly ownsFd: boolean) {
    this.fd = description.fd;
    this.name = description.name;
    this.type = description.type;
    this.keySize = description.keySize;
    this.valueSize = description.valueSize;
    this.maxEntries = description.maxEntries;
    this.userValueSize = PERCPU_TYPES.has(description.type)
      ? Math.ceil(description.valueSize / 8) * 8 * possibleCpuCount()
      : description.valueSize;
  }

  /** @internal A map of a loaded object. */
  static ofObject(description: NativeMapDescription): BpfMap {
    return new BpfMap(description, false);
  }

  /** The value at `key`, or undefined when there is none. */
  lookup(key: Buffer): Buffer | undefined {
    this.checkKey(key);
    return nativeBinding().mapLookup(this.fd, key, this.userValueSize) ?? undefined;
  }

  /** Writes one entry. */
  update(key: Buffer, value: Buffer, mode: UpdateMode = 'any'): void {
    this.checkKey(key);
    this.checkValue(value, 1);
    nativeBinding().mapUpdate(this.fd, key, value, UPDATE_FLAGS[mode]);
  }

  /** Deletes one entry; false when there was none. */
  delete(key: Buffer): boolean {
    this.checkKey(key);
    return nativeBinding().mapDelete(this.fd, key);
  }

  /** Writes many entries in one BPF_MAP_UPDATE_BATCH (one update per entry for map types without batches). */
  updateBatch(batch: EntryBatch, mode: UpdateMode = 'any'): number {
    if (batch.count === 0) return 0;
    if (batch.keys.length !== batch.count * this.keySize) throw this.sizeError('keys', batch.keys.length, batch.count * this.keySize);
    this.checkValue(batch.values, batch.count);
    return nativeBinding().mapUpdateBatch(this.fd, batch.keys, batch.values, batch.count, UPDATE_FLAGS[mode]);
  }

  /** Deletes many keys (concatenated); with ignoreMissing, absent keys are skipped. Returns how many went. */
  deleteBatch(keys: Buffer, count: number, options: { ignoreMissing?: boolean } = {}): number {
    if (count === 0) return 0;
    if (keys.length !== count * this.keySize) throw this.sizeError('keys', keys.length, count * this.keySize);
    return nativeBinding().mapDeleteBatch(this.fd, keys, count, options.ignoreMissing ?? false);
  }

  /** Every entry, in the kernel's iteration order. */
  dump(): EntryBatch {
    return nativeBinding().mapDump(this.fd, this.keySize, this.userValueSize);
  }

  /** Every entry as [key, value] pairs. */
  entries(): Array<[Buffer, Buffer]> {
    const all = this.dump();
    const out: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < all.count; i++) {
      out.push([
        all.keys.subarray(i * this.keySize, (i + 1) * this.keySize),
        all.values.subarray(i * this.userValueSize, (i + 1) * this.userValueSize),
      ]);
    }
    return out;
  }

  /** Pins the map in bpffs. */
  pin(pinPath: string): void {
    nativeBinding().pin(this.fd, pinPath);
  }

  /** Closes the fd when this value owns it (openPinned, create); maps of an object close with the object. */
  close(): void {
    if (this.ownsFd && !this.closed) nativeBinding().closeFd(this.fd);
    this.closed = true;
  }

  private checkKey(key: Buffer): void {
    if (key.length !== this.keySize) throw this.sizeError('key', key.length, this.keySize);
  }

  private checkValue(values: Buffer, count: number): void {
    if (values.length !== count * this.userValueSize) throw this.sizeError('value', values.length, count * this.userValueSize);
  }

  private sizeError(what: string, got: number, want: number): TypeError {
    return new TypeError(`map ${this.name}: ${what} is ${got} bytes, expected ${want} (key ${this.keySize} bytes, value ${this.userValueSize} bytes per entry)`);
  }
}

/** One program of a loaded object. */
export class BpfProgram {
  readonly fd: number;
  readonly name: string;
  /** The ELF section (`tc`). */
  readonly section: string;
  /** enum bpf_prog_type (3 is BPF_PROG_TYPE_SCHED_CLS). */
  readonly type: number;

  constructor(description: NativeProgramDescription) {
    this.fd = description.fd;
    this.name = description.name;
    this.section = description.section;
    this.type = description.type;
  }

  /** Pins the program in bpffs. */
  pin(pinPath: string): void {
    nativeBinding().pin(this.fd, pinPath);
  }

  /** Runs the program on one packet through BPF_PROG_TEST_RUN, `repeat` times. */
  testRun(packet: Buffer, repeat = 1): { retval: number; durationNs: number; packet: Buffer } {
    return nativeBinding().testRun(this.fd, packet, repeat);
  }
}

/** Options of BpfObject.load. */
export interface LoadOptions {
  /**
   * Pin every map at `<mapPinDir>/<map name>`, reusing a map already pinned there (so entries survive a reload).
   *
   * @default - maps are not pinned
   */
  readonly mapPinDir?: string;
}

/** A loaded object file: its maps and programs, verified and ready to attach. */
export class BpfObject {
  /** Opens and loads a .bpf.o. A verifier rejection throws a BpfError carrying `verifierLog`. */
  static load(objectPath: string, options: LoadOptions = {}): BpfObject {
    // A signal during verification (EAGAIN) interrupts the load without judging the program: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return new BpfObject(objectPath, nativeBinding().loadObject(objectPath, options.mapPinDir ?? ''));
      } catch (error) {
        if (attempt >= 3 || (error as { code?: string }).code !== 'EAGAIN') throw error;
      }
    }
  }

  readonly maps: ReadonlyMap<string, BpfMap>;
  readonly programs: ReadonlyMap<string, BpfProgram>;
  private handle: NativeHandle | undefined;

  private constructor(readonly path: string, loaded: ReturnType<ReturnType<typeof nativeBinding>['loadObject']>) {
    this.handle = loaded.handle;
    this.maps = new Map(loaded.maps.map((m) => [m.name, BpfMap.ofObject(m)]));
    this.programs = new Map(loaded.programs.map((p) => [p.name, new BpfProgram(p)]));
  }

  /** The map named `name`; throws naming the maps the object has when it has none of that name. */
  map(name: string): BpfMap {
    const map = this.maps.get(name);
    if (!map) throw new Error(`object ${this.path} has no map "${name}" (it has: ${[...this.maps.keys()].join(', ')})`);
    return map;
  }

  /** The program named `name` (its C function name). */
  program(name: string): BpfProgram {
    const program = this.programs.get(name);
    if (!program) throw new Error(`object ${this.path} has no program "${name}" (it has: ${[...this.programs.keys()].join(', ')})`);
    return program;
  }

  /** Closes the object's fds. Pinned maps, programs and links stay in the kernel. */
  close(): void {
    if (this.handle) nativeBinding().closeObject(this.handle);
    this.handle = undefined;
  }
}

/** Which tc hook of an interface: packets arriving on it (ingress) or leaving it (egress). */
export type TcHook = 'ingress' | 'egress';

/** How a program is attached: a TCX link (kernel 6.6+), or a clsact qdisc filter. */
export type AttachMode = 'tcx' | 'tc';

/** A program attached to an interface's tc hook. */
export interface Attachment {
  readonly mode: AttachMode;
  readonly ifname: string;
  readonly ifindex: number;
  readonly hook: TcHook;
  /** The TCX link fd (mode 'tcx'). */
  readonly linkFd?: number;
  /** The tc filter's priority and handle (mode 'tc'). */
  readonly priority?: number;
  readonly handle?: number;
  /** Pins the TCX link so the program stays attached after this process exits (mode 'tcx' only). */
  pin(pinPath: string): void;
  /** Detaches the program now (a pinned TCX link is detached too; remove its pin file separately). */
  detach(): void;
}

/** Options of attach. */
export interface AttachOptions {
  /**
   * 'tcx' or 'tc' to force one; 'auto' tries a TCX link and falls back to tc clsact when the kernel has no TCX.
   *
   * @default 'auto'
   */
  readonly mode?: AttachMode | 'auto';
  /**
   * Priority of the tc filter (mode 'tc').
   *
   * @default 1
   */
  readonly priority?: number;
}

/** Attaches a tc program to an interface of this process's network namespace. */
export function attach(program: BpfProgram, ifname: string, hook: TcHook, options: AttachOptions = {}): Attachment {
  const native = nativeBinding();
  const ifindex = native.ifIndex(ifname);
  const mode = options.mode ?? 'auto';
  if (mode !== 'tc') {
    try {
      const linkFd = native.attachTcx(program.fd, ifindex, hook);
      let detached = false;
      return {
        mode: 'tcx', ifname, ifindex, hook, linkFd,
        pin: (pinPath) => native.pin(linkFd, pinPath),
        detach: () => {
          if (detached) return;
          detached = true;
          try {
            native.detachLink(linkFd);
          } finally {
            native.closeFd(linkFd);
          }
        },
      };
    } catch (error) {
      // EINVAL: the kernel does not know the TCX attach types (before 6.6).
      if (mode === 'tcx' || (error as { code?: string }).code !== 'EINVAL') throw error;
    }
  }
  const filter = native.attachTc(program.fd, ifindex, hook, options.priority ?? 1, 0);
  return {
    mode: 'tc', ifname, ifindex, hook, priority: filter.priority, handle: filter.handle,
    pin: () => {
      throw new Error(`a tc filter on ${ifname} ${hook} has no link to pin: it stays attached until detached or the interface goes`);
    },
    detach: () => native.detachTc(ifindex, hook, filter.priority, filter.handle),
  };
}

/** The index of an interface in this network namespace, or 0 when there is none of that name (a syscall, no process). */
export function interfaceIndex(ifname: string): number {
  try {
    return nativeBinding().ifIndex(ifname);
  } catch {
    return 0;
  }
}

/** Detaches a TCX link that was pinned (by an earlier process) and removes the pin. */
export function detachPinnedLink(pinPath: string): void {
  const native = nativeBinding();
  const fd = native.openPinned(pinPath);
  try {
    native.detachLink(fd);
  } finally {
    native.closeFd(fd);
  }
  fs.rmSync(pinPath, { force: true });
}

/** Reads records from a BPF_MAP_TYPE_RINGBUF map. */
export class RingBufferReader {
  /**
   * Opens a reader. With `onRecords`, records are delivered from the event loop as the kernel submits them (the
   * reader keeps the process alive until closed); without, call poll().
   */
  static open(map: BpfMap, onRecords?: (records: Buffer[]) => void): RingBufferReader {
    if (map.type !== MapType.RINGBUF) throw new TypeError(`map ${map.name} is not a ring buffer (type ${map.type})`);
    return new RingBufferReader(nativeBinding().ringBufferOpen(map.fd, onRecords ?? null));
  }

  private handle: NativeHandle | undefined;

  private constructor(handle: NativeHandle) {
    this.handle = handle;
  }

  /** Waits up to timeoutMs (0: no wait; blocks the event loop meanwhile) and returns the records read. */
  poll(timeoutMs = 0): Buffer[] {
    if (!this.handle) throw new Error('the ring buffer reader is closed');
    return nativeBinding().ringBufferPoll(this.handle, timeoutMs);
  }

  /** Stops delivery and frees the reader. */
  close(): void {
    if (this.handle) nativeBinding().ringBufferClose(this.handle);
    this.handle = undefined;
  }
}

/** Mounts bpffs at `mountPoint` unless something is already mounted there (needs root). */
export function ensureBpffs(mountPoint = '/sys/fs/bpf'): void {
  const mounted = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .some((line) => line.split(' ')[1] === mountPoint && line.split(' ')[2] === 'bpf');
  if (mounted) return;
  fs.mkdirSync(mountPoint, { recursive: true });
  execFileSync('mount', ['-t', 'bpf', 'bpf', mountPoint], { stdio: 'pipe' });
}
