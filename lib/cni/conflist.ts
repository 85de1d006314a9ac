/**
 * Editing a CNI network configuration list as text: adding or removing one entry of its "plugins" chain while every
 * other byte of the file stays as it was (the file belongs to the VPC CNI; a reformatted file would be a diff its
 * owner never wrote, and uninstalling must give back exactly what was there).
 *
 * The text is first checked with JSON.parse, so the small scanner below may assume valid JSON: it only finds where
 * the top-level "plugins" array and its elements start and end.
 */

/** An element of the plugins array: its position in the text, [start, end), and its parsed value. */
interface Element {
  readonly start: number;
  readonly end: number;
  readonly value: unknown;
}

/** Where the plugins array sits: the index of `[`, and its elements. */
interface PluginsArray {
  readonly open: number;
  readonly elements: readonly Element[];
}

/** The new text, and whether it differs from the old one. */
export interface ChainEdit {
  readonly text: string;
  readonly changed: boolean;
}

/** Thrown for a file that is not a network configuration list. */
export class ConflistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflistError';
  }
}

/**
 * Puts `entry` into the chain: appended after the last plugin (with the whitespace the last plugin has before it),
 * or, when a plugin of the same type is there already, in its place. Unchanged text when that plugin is already
 * exactly `entry`.
 */
export function addToChain(text: string, entry: { readonly type: string; readonly [field: string]: unknown }): ChainEdit {
  const plugins = locatePlugins(text);
  const rendered = JSON.stringify(entry);
  const existing = plugins.elements.filter((e) => typeOf(e) === entry.type);
  if (existing.length > 0) {
    const [first, ...extra] = existing;
    let edited = text;
    // From the end backwards, so that earlier positions stay valid.
    for (const element of [...extra].reverse()) edited = removeElement(edited, plugins, element);
    edited = edited.slice(0, first.start) + rendered + edited.slice(first.end);
    return { text: edited, changed: edited !== text };
  }
  const last = plugins.elements.at(-1);
  if (!last) return { text: `${text.slice(0, plugins.open + 1)}${rendered}${text.slice(plugins.open + 1)}`, changed: true };
  const before = plugins.elements.length > 1 ? plugins.elements.at(-2)!.end : plugins.open + 1;
  // The whitespace between the previous delimiter (`[` or `,`) and the last plugin: a newline and its indentation.
  const gap = /^(?:\s*,)?(\s*)$/.exec(text.slice(before, last.start))?.[1] ?? ' ';
  return { text: `${text.slice(0, last.end)},${gap}${rendered}${text.slice(last.end)}`, changed: true };
}

/** Takes every plugin of `type` out of the chain, with its separator. */
export function removeFromChain(text: string, type: string): ChainEdit {
  const plugins = locatePlugins(text);
  let edited = text;
  for (const element of plugins.elements.filter((e) => typeOf(e) === type).reverse()) edited = removeElement(edited, plugins, element);
  return { text: edited, changed: edited !== text };
}

/** Whether the chain has a plugin of `type`. */
export function chainHas(text: string, type: string): boolean {
  return locatePlugins(text).elements.some((e) => typeOf(e) === type);
}

function typeOf(element: Element): unknown {
  return (element.value as { type?: unknown } | null)?.type;
}

/** Removes one element: with the separator before it, or after it when it is the first. */
function removeElement(text: string, plugins: PluginsArray, element: Element): string {
  const index = plugins.elements.indexOf(element);
  if (index > 0) return text.slice(0, plugins.elements[index - 1].end) + text.slice(element.end);
  const next = plugins.elements[index + 1];
  return text.slice(0, element.start) + text.slice(next ? next.start : element.end);
}

function locatePlugins(text: string): PluginsArray {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConflistError(`it is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { plugins?: unknown }).plugins)) {
    throw new ConflistError('it has no "plugins" array (a single-plugin .conf cannot chain another plugin)');
  }
  const scanner = new Scanner(text);
  let found: PluginsArray | undefined;
  scanner.members((key) => {
    if (key !== 'plugins') return false;
    // The last "plugins" wins, as in JSON.parse.
    found = { open: scanner.pos, elements: scanner.elements() };
    return true;
  });
  return found!;
}

/** Finds value boundaries in text known to be valid JSON. */
class Scanner {
  pos = 0;

  constructor(private readonly text: string) {}

  /** Walks the top-level object's members; `visit` returns true when it consumed the value itself. */
  members(visit: (key: string) => boolean): void {
    this.space();
    this.pos += 1; // {
    this.space();
    while (this.text[this.pos] !== '}') {
      const keyStart = this.pos;
      this.skipString();
      const key = JSON.parse(this.text.slice(keyStart, this.pos)) as string;
      this.space();
      this.pos += 1; // :
      this.space();
      if (!visit(key)) this.skipValue();
      this.space();
      if (this.text[this.pos] === ',') this.pos += 1;
      this.space();
    }
  }

  /** Reads the array at pos, returning its elements' spans. */
  elements(): Element[] {
    const elements: Element[] = [];
    this.pos += 1; // [
    this.space();
    while (this.text[this.pos] !== ']') {
      const start = this.pos;
      this.skipValue();
      elements.push({ start, end: this.pos, value: JSON.parse(this.text.slice(start, this.pos)) });
      this.space();
      if (this.text[this.pos] === ',') this.pos += 1;
      this.space();
    }
    this.pos += 1; // ]
    return elements;
  }

  private space(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos += 1;
  }

  private skipString(): void {
    this.pos += 1; // opening quote
    while (this.text[this.pos] !== '"') this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    this.pos += 1;
  }

  private skipValue(): void {
    const first = this.text[this.pos];
    if (first === '"') return this.skipString();
    if (first === '{' || first === '[') {
      const close = first === '{' ? '}' : ']';
      this.pos += 1;
      this.space();
      while (this.text[this.pos] !== close) {
        this.skipValue();
        this.space();
        // An object member's key is a value too, then `:`; array elements and members are separated by `,`.
        if (this.text[this.pos] === ':' || this.text[this.pos] === ',') this.pos += 1;
        this.space();
      }
      this.pos += 1;
      return;
    }
    while (this.pos < this.text.length && !/[\s,\]}]/.test(this.text[this.pos])) this.pos += 1;
  }
}
