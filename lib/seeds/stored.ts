// bson's EJSON as the driver bundles it: importing 'bson' directly loads its ESM build beside the
// driver's CJS one, and its ObjectIds are then of another class than the driver's (instanceof fails).
import { BSON, ObjectId } from 'mongodb';
import { parseDocument } from 'yaml';
import { OBJECT_ID_HEX } from '../schemas/object-id-hex';
import { at, type Problems } from './problems';

type Loose = Record<string, unknown>;

export const isObject = (value: unknown): value is Loose =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof ObjectId) && !(value instanceof Date);

/** Keys whose 24-hex string values are ids: `_id`, `id`, `*_id`, `*_ids`, and a join's `with_dc`. */
const isIdKey = (key: string) => key === '_id' || key === 'id' || key.endsWith('_id') || key.endsWith('_ids') || key === 'with_dc';

/** Maps keyed by column or argument names, not documents: an `id` column stays `id`. */
const DATA_MAPS = new Set(['columns_description', 'polars_kwargs', 'dict_kwargs', 'schema_overrides', 'dtypes', 'labels', 'cols_json']);

const toId = (value: unknown): unknown => (typeof value === 'string' && OBJECT_ID_HEX.test(value) ? new ObjectId(value) : value);

/**
 * A seed value as depictio stores it: every `id` key becomes `_id` (its MongoModel does this at
 * any depth) and 24-hex strings under id keys become ObjectIds. Only id keys: a title or a column
 * that happens to be 24 hex characters stays a string.
 */
export function toStored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toStored);
  if (!isObject(value)) return value;
  const out: Loose = {};
  for (const [key, raw] of Object.entries(value)) {
    const name = key === 'id' && !('_id' in value) ? '_id' : key;
    const converted = DATA_MAPS.has(key) ? raw : toStored(raw);
    out[name] = isIdKey(key) ? (Array.isArray(converted) ? converted.map(toId) : toId(converted)) : converted;
  }
  return out;
}

/** Reads `project.yaml`; a YAML error is reported with its line and column. */
export function parseYaml(text: string, file: string, problems: Problems): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      problems.error(file, '', `not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}: ${error.message.split('\n')[0]}`);
    }
    return undefined;
  }
  return doc.toJS();
}

/**
 * Reads a `.db_seeds` file: JSON, then every Extended JSON wrapper (`{"$oid": …}`, `{"$date": …}`,
 * …) through bson's EJSON, one at a time so that a bad one is reported with its JSON path.
 */
export function parseExtendedJson(text: string, file: string, problems: Problems): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.error(file, '', `not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, at(path, i)));
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) {
      try {
        return BSON.EJSON.deserialize(value, { relaxed: true });
      } catch (error) {
        problems.error(file, path, `not valid Extended JSON ${keys.join(', ')}: ${(error as Error).message}`);
        return value;
      }
    }
    return Object.fromEntries(keys.map((k) => [k, walk(value[k], at(path, k))]));
  };
  return walk(json, '');
}
