/**
 * A reader's copy of a strict schema: every object in it, however deep, keeps the fields it
 * knows and lets unknown ones through instead of refusing them. A client built against today's
 * API then still reads tomorrow's, which may add fields; the writer (the API) stays strict.
 * Everything else (types, formats, enums, ranges, transforms) is checked as in the original.
 */
import { z } from 'zod';

function loosenAny(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([k, v]) => [k, loosenAny(v)]));
    return z.looseObject(shape);
  }
  if (schema instanceof z.ZodArray) return z.array(loosenAny(schema.element as z.ZodType));
  if (schema instanceof z.ZodOptional) return loosenAny(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodNullable) return loosenAny(schema.unwrap() as z.ZodType).nullable();
  if (schema instanceof z.ZodRecord) return z.record(schema.keyType as z.ZodString, loosenAny(schema.valueType as z.ZodType));
  if (schema instanceof z.ZodUnion) return z.union((schema.options as readonly z.ZodType[]).map(loosenAny) as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  return schema;
}

/** `schema` with every object loosened; its parsed type is the original's (unknown fields are there but untyped). */
export function loosen<T extends z.ZodType>(schema: T): T {
  return loosenAny(schema) as T;
}
