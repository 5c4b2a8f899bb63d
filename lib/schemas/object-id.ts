import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { OBJECT_ID_HEX } from './object-id-hex';

/** An ObjectId in a document read from or written to the database. */
export const objectIdSchema = z.instanceof(ObjectId, { message: 'expected an ObjectId' });

/** A 24-hex string in a seed file, turned into an ObjectId. */
export const objectIdHexSchema = z
  .string({ message: 'expected a 24-hex ObjectId string' })
  .regex(OBJECT_ID_HEX, { message: 'expected a 24-hex ObjectId string' })
  .transform((hex) => new ObjectId(hex));
