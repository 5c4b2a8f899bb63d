import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * depictio's project.yaml names its files by absolute container paths (`/app/depictio/projects/
 * init/iris/data/iris.csv`). Outside that container they are found inside the project folder: the
 * longest tail of the path that exists there. Never outside the folder.
 */
export async function resolveSeedPath(projectDir: string, declared: string, kind: 'file' | 'dir'): Promise<string | null> {
  const cleaned = declared.replace(/\{[A-Z0-9_]+\}/g, '');
  const parts = cleaned.split(/[\\/]+/).filter((p) => p && p !== '.');
  if (parts.includes('..')) return null;
  for (let i = 0; i < parts.length; i += 1) {
    const candidate = path.join(projectDir, ...parts.slice(i));
    try {
      const info = await stat(candidate);
      if (kind === 'file' ? info.isFile() : info.isDirectory()) return candidate;
    } catch {
      // not there: try a shorter tail
    }
  }
  return null;
}

/** The first file under `dirs` whose path (relative to its dir) matches `pattern`, as depictio's recursive scan finds it. */
export async function findByPattern(dirs: string[], pattern: RegExp, maxDepth = 8): Promise<string | null> {
  for (const dir of dirs) {
    const walk = async (current: string, depth: number): Promise<string | null> => {
      let entries;
      try {
        entries = (await readdir(current, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      } catch {
        return null;
      }
      for (const entry of entries) {
        const full = path.join(current, entry.name);
        if (entry.isFile() && pattern.test(path.relative(dir, full).split(path.sep).join('/'))) return full;
      }
      if (depth >= maxDepth) return null;
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith('.')) {
          const found = await walk(path.join(current, entry.name), depth + 1);
          if (found) return found;
        }
      }
      return null;
    };
    const found = await walk(dir, 0);
    if (found) return found;
  }
  return null;
}

const SAMPLE_BYTES = 64 * 1024;

export interface HeaderColumns {
  columns: Array<{ name: string; type: string }>;
  /** The bytes read, for the seed digest: a changed header changes the registrations. */
  sample: string;
}

const unquote = (cell: string) => cell.trim().replace(/^"(.*)"$/, '$1');

function cellType(values: string[]): string {
  const present = values.map((v) => unquote(v)).filter((v) => v !== '' && !/^(NA|NaN|nan|null|None)$/.test(v));
  if (present.length === 0) return 'string';
  if (present.every((v) => /^-?\d+$/.test(v))) return 'int64';
  if (present.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))) return 'float64';
  if (present.every((v) => /^(true|false)$/i.test(v))) return 'bool';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$/.test(v))) return 'datetime';
  return 'string';
}

/** The header of a CSV/TSV data file and each column's type from its first rows. */
export async function readHeader(file: string, separator: string): Promise<HeaderColumns | null> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    const sample = buffer.subarray(0, bytesRead).toString('utf8');
    const lines = sample.split(/\r?\n/);
    // The last line may be cut by the sample's end.
    if (bytesRead === SAMPLE_BYTES) lines.pop();
    const header = lines[0]?.split(separator).map(unquote) ?? [];
    if (header.length === 0 || header.every((h) => h === '')) return null;
    const rows = lines
      .slice(1, 501)
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(separator));
    return { columns: header.map((name, i) => ({ name, type: cellType(rows.map((r) => r[i] ?? '')) })), sample: lines.slice(0, 1).join('\n') };
  } finally {
    await handle.close();
  }
}

const POLARS_TYPES: Record<string, string> = {
  float64: 'float64',
  float32: 'float64',
  int64: 'int64',
  int32: 'int64',
  int16: 'int64',
  int8: 'int64',
  uint64: 'int64',
  uint32: 'int64',
  utf8: 'string',
  string: 'string',
  str: 'string',
  categorical: 'string',
  boolean: 'bool',
  bool: 'bool',
  date: 'datetime',
  datetime: 'datetime',
};

/** A polars dtype name (`Float64`, `pl.Utf8`, `Datetime(time_unit='us')`) as a column spec type. */
export function polarsType(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const base = name.replace(/^pl\./, '').replace(/\(.*$/, '').toLowerCase();
  return POLARS_TYPES[base];
}
