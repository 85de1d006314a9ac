/**
 * Reading manifests: files, directories (recursively) and standard input, YAML or JSON, many documents a file and
 * `kind: List`, into one ClusterState with every problem located at its file and line.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { extname, join } from 'path';
import { InvalidInputError, Problem } from '../model/problems';
import { ClusterState } from '../model/types';
import { isObject } from '../model/validate-fields';
import { assembleCluster, LoadOptions, LoadResult, SourcedObject } from './cluster';
import { LocatedDocument, parseYamlDocuments, ParsedText } from './yaml-lines';

/** The name standard input goes by in problems. */
export const STDIN_NAME = '<stdin>';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads manifests from file paths, directory paths (every .yaml, .yml and .json file below, in sorted order,
 * skipping directories whose name starts with '.') and `-` (standard input), into one cluster.
 * Never throws for bad input: every problem is in the result.
 */
export function loadManifests(inputs: readonly string[], options: LoadOptions = {}): LoadResult {
  const { objects, problems } = readManifestObjects(inputs, options);
  return assembleCluster(objects, options, problems);
}

/**
 * The raw objects of the inputs (read as `loadManifests` reads them, List items unpacked) with their file and line,
 * not validated: for readers that look at kinds the policy model does not hold. `problems` has the files that could
 * not be read and the syntax errors.
 */
export function readManifestObjects(inputs: readonly string[], options: LoadOptions = {}): { objects: SourcedObject[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const objects: SourcedObject[] = [];
  for (const input of inputs) {
    for (const { file, text } of readInput(input, options, problems)) {
      collectObjects(text, file, objects, problems);
    }
  }
  return { objects, problems };
}

/** Reads the manifests of one text (the contents of `file`), YAML or JSON. */
export function parseManifests(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const problems: Problem[] = [];
  const objects: SourcedObject[] = [];
  collectObjects(text, file, objects, problems);
  return assembleCluster(objects, options, problems);
}

/** As `loadManifests`, but throws InvalidInputError (carrying every problem) when there is any problem. */
export function loadCluster(inputs: readonly string[], options: LoadOptions = {}): ClusterState {
  const { cluster, problems } = loadManifests(inputs, options);
  if (problems.length > 0) throw new InvalidInputError(problems);
  return cluster;
}

interface InputText {
  readonly file: string;
  readonly text: string;
}

/** The texts an input names: one file, every manifest under a directory, or standard input. */
function readInput(input: string, options: LoadOptions, problems: Problem[]): InputText[] {
  if (input === '-') {
    const read = options.readStdin ?? (() => readFileSync(0, 'utf8'));
    const text = attempt(input, problems, read);
    return text === undefined ? [] : [{ file: STDIN_NAME, text }];
  }
  const stats = attempt(input, problems, () => statSync(input));
  if (!stats) return [];
  if (!stats.isDirectory()) {
    const text = attempt(input, problems, () => readFileSync(input, 'utf8'));
    return text === undefined ? [] : [{ file: input, text }];
  }
  const files: string[] = [];
  walk(input, files, problems);
  if (files.length === 0) {
    problems.push({
      object: input, field: '', message: 'is a directory without any .yaml, .yml or .json file',
      fix: 'name a directory that holds manifests, or the manifest files themselves',
    });
  }
  const texts: InputText[] = [];
  for (const file of files) {
    const text = attempt(file, problems, () => readFileSync(file, 'utf8'));
    if (text !== undefined) texts.push({ file, text });
  }
  return texts;
}

/** Every manifest file below `directory`, sorted by path (byte order, not locale) so output is deterministic. */
function walk(directory: string, files: string[], problems: Problem[]): void {
  const entries = attempt(directory, problems, () => readdirSync(directory, { withFileTypes: true }));
  if (!entries) return;
  for (const entry of [...entries].sort((a, b) => byteOrder(a.name, b.name))) {
    const name = entry.name;
    const path = join(directory, name);
    if (entry.isDirectory()) {
      // Hidden directories (.git, .github) hold no manifests of the application.
      if (!name.startsWith('.')) walk(path, files, problems);
    } else if (MANIFEST_EXTENSIONS.has(extname(name).toLowerCase()) && (entry.isFile() || entry.isSymbolicLink())) {
      files.push(path);
    }
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Runs a file-system call, turning its error into a problem naming the path. */
function attempt<T>(path: string, problems: Problem[], action: () => T): T | undefined {
  try {
    return action();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, [string, string]> = {
      ENOENT: ['no such file or directory', 'check the path (relative paths start from the current directory)'],
      EACCES: ['permission denied', 'make the file readable, or run as a user who can read it'],
      EISDIR: ['is a directory', 'name the directory itself as an input'],
    };
    const [message, fix] = reasons[code ?? ''] ?? [`cannot be read: ${(error as Error).message}`, 'check the path and its permissions'];
    problems.push({ object: path === '-' ? STDIN_NAME : path, field: '', message, fix });
    return undefined;
  }
}

/** Parses one text and appends its objects (List items unpacked) with their lines; syntax errors become problems. */
function collectObjects(rawText: string, file: string, objects: SourcedObject[], problems: Problem[]): void {
  // A byte-order mark is not content.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const parsed = parseYamlDocuments(text, file);
  const language = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
  for (const error of parsed.errors) {
    problems.push({
      object: `document ${error.document}`,
      field: '',
      message: `malformed ${language}: ${error.message}`,
      fix: language === 'JSON'
        ? 'correct the syntax at this line (a missing comma, quote or closing bracket)'
        : 'correct the syntax at or just before this line (indent with spaces, put ": " after keys, close brackets and quotes)',
      source: { file, line: error.line },
    });
  }
  parsed.documents.forEach((document, index) => {
    if (document.value === null || document.value === undefined) return;
    const position = `document ${index + 1}`;
    if (isObject(document.value) && isListKind(document.value.kind) && document.value.items !== undefined) {
      collectListItems(document, parsed, file, position, objects, problems);
      return;
    }
    objects.push({ raw: document.value, origin: { file, line: document.line, locate: parsed.locator(document) }, position });
  });
}

/** `List`, or a typed list such as `NetworkPolicyList` (what `kubectl get -o yaml` prints). */
function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind.endsWith('List');
}

function collectListItems(
  document: LocatedDocument, parsed: ParsedText, file: string, position: string, objects: SourcedObject[], problems: Problem[],
): void {
  const list = document.value as Readonly<Record<string, unknown>>;
  const line = document.line;
  if (!Array.isArray(list.items)) {
    problems.push({
      object: `${String(list.kind)} in ${position}`, field: 'items', message: 'must be a list of objects',
      fix: 'write items: followed by one "- " entry per object', source: { file, line: parsed.locator(document)(['items']) ?? line },
    });
    return;
  }
  // Items of a typed list may leave out kind and apiVersion: they are the list's.
  const itemKind = list.kind === 'List' ? undefined : String(list.kind).slice(0, -'List'.length);
  list.items.forEach((item, index) => {
    const itemPosition = `${position}, item ${index + 1}`;
    const raw = itemKind && isObject(item) && item.kind === undefined ? { apiVersion: list.apiVersion, kind: itemKind, ...item } : item;
    const itemLine = parsed.startOf(item) ?? line;
    objects.push({ raw, origin: { file, line: itemLine, locate: parsed.locator(document, index) }, position: itemPosition });
  });
}
