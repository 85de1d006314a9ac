/**
 * A directory watch that reacts once a burst of changes is over: editors and aws-node write several files (or one
 * file several times) in a row, and acting on the first event would read a half-written state.
 */
import * as fs from 'fs';

/** Options of watchDebounced. */
export interface DebouncedWatchOptions {
  /** How long the directory must stay quiet before `settled` runs. */
  readonly delayMs: number;
  /**
   * Watch subdirectories too.
   *
   * @default false
   */
  readonly recursive?: boolean;
  /** Called when the watch itself fails (the directory was removed, the watch limit was reached). */
  readonly onError: (error: Error) => void;
}

/** A running watch. */
export interface DebouncedWatch {
  /** Stops watching and drops a pending call. */
  close(): void;
}

/** Watches `directory`, calling `settled` once changes stop for delayMs. Throws when the directory cannot be watched. */
export function watchDebounced(directory: string, options: DebouncedWatchOptions, settled: () => void): DebouncedWatch {
  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(directory, { recursive: options.recursive ?? false }, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(settled, options.delayMs);
  });
  watcher.on('error', options.onError);
  return {
    close: () => {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
