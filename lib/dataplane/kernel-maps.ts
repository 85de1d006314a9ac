/**
 * Writing map images to the kernel: applying a diff with batch calls, and reading back what the maps hold (so a
 * restarted agent or a second process diffs against the truth, not a memory of it).
 */
import { BpfMap, MapType } from './binding';
import { MapDiff } from './diff';
import { MapImage, PROGRAMMED_MAPS, imageKey } from './encode';

/** Looks up one of the data plane's maps by name. */
export type MapSource = (name: string) => BpfMap;

function concat(buffers: readonly Buffer[]): Buffer {
  return Buffer.concat(buffers as Buffer[]);
}

/**
 * Applies a diff: every map's updates in order (port sets before the entries naming them, pod states last), then
 * deletes in reverse order (a pod's state goes before its entries, port sets after every entry that named them).
 * Array maps cannot delete: their "deleted" entries are zeroed.
 */
export function applyDiff(maps: MapSource, diffs: readonly MapDiff[]): void {
  for (const diff of diffs) {
    if (diff.updates.length === 0) continue;
    maps(diff.map).updateBatch({
      keys: concat(diff.updates.map((u) => u[0])),
      values: concat(diff.updates.map((u) => u[1])),
      count: diff.updates.length,
    });
  }
  for (const diff of [...diffs].reverse()) {
    if (diff.deletes.length === 0) continue;
    const map = maps(diff.map);
    if (map.type === MapType.ARRAY || map.type === MapType.PERCPU_ARRAY) {
      const zero = Buffer.alloc(map.userValueSize * diff.deletes.length);
      map.updateBatch({ keys: concat(diff.deletes), values: zero, count: diff.deletes.length });
    } else {
      map.deleteBatch(concat(diff.deletes), diff.deletes.length, { ignoreMissing: true });
    }
  }
}

/**
 * What the programmed maps hold now, as an image. Array entries that are all zero count as absent (that is what a
 * deleted array entry is), except netpol_config's single entry, which always exists.
 */
export function readImage(maps: MapSource, names: readonly string[] = PROGRAMMED_MAPS): MapImage {
  const image = new Map<string, Map<string, Buffer>>();
  for (const name of names) {
    const map = maps(name);
    const entries = new Map<string, Buffer>();
    const isArray = map.type === MapType.ARRAY;
    for (const [key, value] of map.entries()) {
      if (isArray && map.maxEntries > 1 && value.every((byte) => byte === 0)) continue;
      entries.set(imageKey(key), Buffer.from(value));
    }
    image.set(name, entries);
  }
  return image;
}
