/**
 * YAML (and JSON) documents with their lines. Loading must stay close to js-yaml's own speed on large inputs, so
 * lines are tracked in two tiers:
 * - always: the first line of each document and of each node near the root (List items), from js-yaml's node
 *   listener, which costs a depth stack and little else;
 * - on demand: when a problem needs the line of a field, that one document's text is parsed again with full
 *   tracking (for every mapping and sequence, the line and value of each child), and the field path is walked.
 */
import * as jsYaml from 'js-yaml';
import { CORE_SCHEMA, loadAll, Type, YAMLException } from 'js-yaml';
import { FieldPath, LineLocator } from '../model/validate-context';

/** One parsed document: its value, 1-based first line, and where its text is. */
export interface LocatedDocument {
  readonly value: unknown;
  readonly line: number;
  /** Offsets of the document's text in the whole text, for parsing it again with full tracking. */
  readonly start: number;
  readonly end: number;
}

/** A YAML syntax error: the 1-based line, the 1-based number of the document it breaks, and what is wrong. */
export interface SyntaxProblem {
  readonly line: number;
  readonly document: number;
  readonly message: string;
}

/** The documents of one text, its syntax errors, and the lines of nodes. */
export interface ParsedText {
  readonly documents: LocatedDocument[];
  readonly errors: SyntaxProblem[];
  /** The 1-based first line of a node near a document's root (a List item), when known. */
  startOf(node: unknown): number | undefined;
  /**
   * Finds lines of fields of one document, or of item `item` of its `items` list. The document is parsed again
   * with full tracking the first time a line is asked for.
   */
  locator(document: LocatedDocument, item?: number): LineLocator;
}

/**
 * The YAML the API machinery reads (sigs.k8s.io/yaml): the core schema plus merge keys (`<<: *base`), without
 * js-yaml's timestamp type. Kubernetes reads an unquoted `2024-01-01` as a string (a valid label value), not a date.
 * This also spares a timestamp regular expression on every plain scalar.
 */
const KUBERNETES_SCHEMA = CORE_SCHEMA.extend({
  // js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
  implicit: [(jsYaml as unknown as { types: { merge: Type } }).types.merge],
});

/**
 * For each container node: its own 0-based line, then pairs of (child line, child value); for a mapping the
 * children alternate key and value.
 */
type ChildLines = unknown[];

/**
 * Depths (from the document root, 0) at which the first lines of nodes are recorded, for List items: a block List's
 * items are at 2; a JSON (flow) List's at 3, because js-yaml wraps a flow collection at the root in one more node.
 */
const ITEM_DEPTH_MIN = 2;
const ITEM_DEPTH_MAX = 3;

/**
 * Parses every document of `text`. A syntax error ends the document it is in; parsing resumes at the next
 * document marker (`---`), so one broken document does not hide the problems of the others.
 */
export function parseYamlDocuments(text: string, file: string): ParsedText {
  // A Map, not a WeakMap: it lives as long as the parsed text, and weak maps cost the garbage collector more.
  const starts = new Map<object, number>();
  const documents: LocatedDocument[] = [];
  const errors: SyntaxProblem[] = [];
  let offsetLines = 0;
  let offsetChars = 0;
  for (;;) {
    const rest = offsetChars === 0 ? text : text.slice(offsetChars);
    // Documents are taken from the listener as their roots close: js-yaml's loadAll parses the whole text before
    // handing out any document, so after an error only the listener knows which documents were complete.
    const tracker = new StartTracker(starts, offsetLines, offsetChars);
    try {
      loadAll(rest, undefined, { filename: file, schema: KUBERNETES_SCHEMA, listener: tracker.listener });
      documents.push(...tracker.roots);
      break;
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      const errorLine = error.mark ? error.mark.line : 0;
      const brokenStart = offsetLines + lastDocumentStart(rest, errorLine);
      documents.push(...tracker.roots.filter((root) => root.line - 1 < brokenStart));
      const problem = { line: offsetLines + errorLine + 1, document: documents.length + 1, message: error.reason || error.message };
      // A document broken at its own marker line is parsed again from there and fails again: report it once.
      if (!errors.some((e) => e.line === problem.line && e.message === problem.message)) errors.push(problem);
      const resume = nextDocumentStart(rest, errorLine);
      if (resume === undefined) break;
      offsetLines += lineCount(rest, resume);
      offsetChars += resume;
    }
  }
  const full = new Map<LocatedDocument, FullDocument | null>();
  const fullOf = (document: LocatedDocument) => {
    if (!full.has(document)) full.set(document, parseFully(text, document));
    return full.get(document)!;
  };
  return {
    documents,
    errors,
    startOf: (node) => (typeof node === 'object' && node !== null ? lineOrUndefined(starts.get(node)) : undefined),
    locator: (document, item) => (path) => {
      const parsed = fullOf(document);
      if (!parsed) return undefined;
      if (item === undefined) return lineOf(parsed.children, parsed.root, path);
      const items = (parsed.root as { items?: unknown[] } | null)?.items;
      return Array.isArray(items) ? lineOf(parsed.children, items[item], path) : undefined;
    },
  };
}

function lineOrUndefined(line: number | undefined): number | undefined {
  return line === undefined ? undefined : line + 1;
}

/** One document parsed again with every container's child lines. */
interface FullDocument {
  readonly root: unknown;
  readonly children: WeakMap<object, ChildLines>;
}

/** Parses one document's text again with full tracking; null when that fails (the caller falls back). */
function parseFully(text: string, document: LocatedDocument): FullDocument | null {
  const children = new WeakMap<object, ChildLines>();
  const tracker = new ChildTracker(children, document.line - 1);
  try {
    loadAll(text.slice(document.start, document.end), undefined, { schema: KUBERNETES_SCHEMA, listener: tracker.listener });
  } catch {
    return null;
  }
  return tracker.root === undefined ? null : { root: tracker.root, children };
}

/** The 0-based line of the last document marker at or before `errorLine`, or 0. */
function lastDocumentStart(text: string, errorLine: number): number {
  let line = 0;
  let start = 0;
  for (let current = 0; current <= errorLine && start < text.length; current++) {
    if (isDocumentMarker(text, start)) line = current;
    const next = text.indexOf('\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  return line;
}

/**
 * The offset of the first document marker from line `errorLine` (0-based) on, past the very start of `text` (the
 * broken document may end at a marker, which then starts the next one).
 */
function nextDocumentStart(text: string, errorLine: number): number | undefined {
  let start = 0;
  for (let line = 0; line < errorLine; line++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  for (;;) {
    if (start > 0 && isDocumentMarker(text, start)) return start;
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
}

/** Is there a `---` document marker at the start of the line at `start`? */
function isDocumentMarker(text: string, start: number): boolean {
  if (!text.startsWith('---', start)) return false;
  const after = text[start + 3];
  return after === undefined || after === ' ' || after === '\t' || after === '\n' || after === '\r';
}

function lineCount(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Follows `path` from `root`, returning the 1-based line of its last step. */
function lineOf(children: WeakMap<object, ChildLines>, root: unknown, path: FieldPath): number | undefined {
  let node = root;
  let line: number | undefined;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    const entry = children.get(node);
    if (!entry) return undefined;
    const found = typeof segment === 'number' ? itemOf(entry, segment) : fieldOf(entry, typeof segment === 'string' ? segment : segment.key);
    if (!found) return undefined;
    line = found.line + 1;
    node = found.value;
  }
  return line;
}

/** The n-th child of a sequence. */
function itemOf(entry: ChildLines, index: number): { line: number; value: unknown } | undefined {
  const at = 1 + index * 2;
  return at + 1 < entry.length ? { line: entry[at] as number, value: entry[at + 1] } : undefined;
}

/**
 * The key of a mapping named `key`, with its value. Children alternate key and value, so keys are at every other
 * pair; the last occurrence wins, as in the parsed object.
 */
function fieldOf(entry: ChildLines, key: string): { line: number; value: unknown } | undefined {
  let found: { line: number; value: unknown } | undefined;
  for (let at = 1; at + 1 < entry.length; at += 4) {
    const name = entry[at + 1];
    // Keys are strings, or scalars js-yaml resolved (80: x); complex keys never name a field.
    const same = typeof name === 'string' ? name === key : (typeof name === 'number' || typeof name === 'boolean') && String(name) === key;
    if (same) found = { line: entry[at] as number, value: entry[at + 3] };
  }
  return found;
}

/** The state js-yaml hands its listener. */
interface ParserState {
  readonly line: number;
  readonly position: number;
  readonly result: unknown;
}

/** The cheap tier: each document's root, and the first lines of the items of a root List. */
class StartTracker {
  /** Each document, as its root node closes. */
  readonly roots: LocatedDocument[] = [];
  private readonly lines: number[] = [];
  /** Nodes at item depths in the current document and their lines, kept only if the root turns out a List. */
  private pending: unknown[] = [];
  private rootStart = 0;

  constructor(private readonly starts: Map<object, number>, private readonly offsetLines: number, private readonly offsetChars: number) {}

  readonly listener = (event: 'open' | 'close', state: ParserState): void => {
    if (event === 'open') {
      if (this.lines.length === 0) this.rootStart = state.position;
      this.lines.push(state.line);
      return;
    }
    const line = this.lines.pop()! + this.offsetLines;
    const depth = this.lines.length;
    const value = state.result;
    if (depth >= ITEM_DEPTH_MIN && depth <= ITEM_DEPTH_MAX) {
      if (typeof value === 'object' && value !== null) this.pending.push(value, line);
    } else if (depth === 0) {
      this.roots.push({ value, line: line + 1, start: this.offsetChars + this.rootStart, end: this.offsetChars + state.position });
      if (this.pending.length > 0 && typeof value === 'object' && value !== null && Array.isArray((value as { items?: unknown }).items)) {
        for (let i = 0; i < this.pending.length; i += 2) this.starts.set(this.pending[i] as object, this.pending[i + 1] as number);
      }
      this.pending = [];
    }
  };
}

/** The full tier: for every container, the line and value of each child. */
class ChildTracker {
  root: unknown;
  private readonly lines: number[] = [];
  private readonly kids: (ChildLines | null)[] = [];

  constructor(private readonly children: WeakMap<object, ChildLines>, private readonly offset: number) {}

  readonly listener = (event: 'open' | 'close', state: ParserState): void => {
    if (event === 'open') {
      this.lines.push(state.line + this.offset);
      this.kids.push(null);
      return;
    }
    const line = this.lines.pop()!;
    const own = this.kids.pop()!;
    const value = state.result;
    // An alias closes without children of its own, and a node can wrap another with the same value (a flow
    // collection at the root): keep what the inner node recorded.
    const wrapper = own !== null && own.length === 3 && own[2] === value;
    if (typeof value === 'object' && value !== null && !wrapper && (own !== null || !this.children.has(value))) {
      this.children.set(value, own ?? [line]);
    }
    const depth = this.kids.length;
    if (depth === 0) {
      if (this.root === undefined) this.root = value;
      return;
    }
    let parent = this.kids[depth - 1];
    if (parent === null) {
      parent = [this.lines[depth - 1]];
      this.kids[depth - 1] = parent;
    }
    parent.push(line, value);
  };
}
