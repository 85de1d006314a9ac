/**
 * The difference between two map images as the minimal set of map writes: an entry is updated when it is new or its
 * value changed, deleted when it is gone, and left alone otherwise.
 */
import { MAP } from './layout';
import { MapImage, PROGRAMMED_MAPS, imageKey, imageKeyBytes } from './encode';

/** The writes one map needs. Keys and values are the raw structs. */
export interface MapDiff {
  readonly map: string;
  readonly updates: ReadonlyArray<readonly [Buffer, Buffer]>;
  readonly deletes: readonly Buffer[];
}

/** Maps in apply order: new port sets first (entries may name them), pod states last (after their entries). */
function mapOrder(image: MapImage, other: MapImage): string[] {
  const extra = [...new Set([...image.keys(), ...other.keys()])].filter((m) => !PROGRAMMED_MAPS.includes(m)).sort();
  return [...PROGRAMMED_MAPS, ...extra];
}

/** The writes that turn `from` into `to`. Maps without changes are left out. */
export function diffImages(from: MapImage, to: MapImage): MapDiff[] {
  const out: MapDiff[] = [];
  for (const map of mapOrder(from, to)) {
    const before = from.get(map) ?? new Map<string, Buffer>();
    const after = to.get(map) ?? new Map<string, Buffer>();
    // The same entries object (an encoding reused from a cache) has nothing to diff.
    if (before === after) continue;
    const updates: Array<readonly [Buffer, Buffer]> = [];
    const deletes: Buffer[] = [];
    for (const [key, value] of after) {
      const old = before.get(key);
      if (!old || !old.equals(value)) updates.push([imageKeyBytes(key), value]);
    }
    for (const key of before.keys()) {
      if (!after.has(key)) deletes.push(imageKeyBytes(key));
    }
    if (updates.length > 0 || deletes.length > 0) out.push({ map, updates, deletes });
  }
  return out;
}

/** The image after applying `diffs` to `image` (what the kernel holds after applyDiff). */
export function applyDiffToImage(image: MapImage, diffs: readonly MapDiff[]): MapImage {
  const out = new Map<string, Map<string, Buffer>>([...image].map(([name, entries]) => [name, new Map(entries)]));
  for (const diff of diffs) {
    let entries = out.get(diff.map);
    if (!entries) out.set(diff.map, (entries = new Map()));
    for (const [key, value] of diff.updates) entries.set(imageKey(key), value);
    for (const key of diff.deletes) entries.delete(imageKey(key));
  }
  return out;
}

/** Counts of a diff, for logs and benchmarks. */
export function diffSize(diffs: readonly MapDiff[]): { updates: number; deletes: number } {
  return diffs.reduce((acc, d) => ({ updates: acc.updates + d.updates.length, deletes: acc.deletes + d.deletes.length }), { updates: 0, deletes: 0 });
}

/** Maps that are BPF arrays: their entries cannot be deleted, only zeroed. */
export const ARRAY_MAPS: ReadonlySet<string> = new Set([MAP.ports, MAP.config]);
