/**
 * Removing the agent from a node: every link detached, every pin removed. Detaching explicitly (rather than only
 * deleting the pins) takes the programs off at once, even while another process still holds a link fd.
 */
import * as fs from 'fs';
import * as path from 'path';
import { detachLinks } from '../dataplane/enforce';

/** What uninstall removed. */
export interface UninstallResult {
  /** Link pins detached (`<ifname>-<hook>`). */
  readonly links: readonly string[];
  /** Whether the pin directory existed. */
  readonly found: boolean;
}

export function uninstall(pinDir: string): UninstallResult {
  if (!fs.existsSync(pinDir)) return { links: [], found: false };
  const linksDir = path.join(pinDir, 'links');
  const links = fs.existsSync(linksDir) ? fs.readdirSync(linksDir).sort() : [];
  // Pins of interfaces that went away (and took their links along) are only removed, with the directory below.
  detachLinks(pinDir, () => true);
  fs.rmSync(pinDir, { recursive: true, force: true });
  return { links, found: true };
}
