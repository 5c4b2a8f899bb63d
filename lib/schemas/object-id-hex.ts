/** A 24-hex ObjectId string. Apart from object-id.ts so that the browser's schemas (lib/audit/types.ts) do not import the mongodb driver. */
export const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;
