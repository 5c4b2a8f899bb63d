import type { Db, Document } from 'mongodb';

/** Every document of every collection, sorted, as comparable JSON. */
export async function snapshot(db: Db, options: { omit?: string[] } = {}): Promise<Record<string, Document[]>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const out: Record<string, Document[]> = {};
  for (const name of names) {
    const docs = await db.collection(name).find({}).toArray();
    out[name] = docs
      .map((doc) => {
        const copy: Document = { ...doc };
        for (const field of options.omit ?? []) delete copy[field];
        return JSON.parse(JSON.stringify(copy)) as Document;
      })
      .sort((a, b) => JSON.stringify(a._id).localeCompare(JSON.stringify(b._id)));
  }
  return out;
}
