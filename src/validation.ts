// Validation at the door: one zod schema feeds both a page's field errors and the API's invalid_request.fields.
import { z } from "zod";
import { invalidRequest } from "./errors";

/** Field name → first Japanese message, from a zod error. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const name = issue.path.map(String).join(".") || "_";
    fields[name] ??= issue.message;
  }
  return fields;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; fields: Record<string, string> };

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, data: result.data } : { ok: false, fields: fieldErrors(result.error) };
}

/** The hook for @hono/zod-validator: a failed validation becomes the contract's invalid_request. */
export const throwInvalid = (result: { success: boolean; error?: unknown }) => {
  if (!result.success) throw invalidRequest(fieldErrors(result.error as z.ZodError));
};

/** Japanese messages for zod's own issues that a schema did not word itself. */
z.config({
  customError: (issue) => {
    if (issue.code === "invalid_type") return "値の形式が正しくありません。";
    if (issue.code === "unrecognized_keys") return "不明な項目があります。";
    return undefined;
  },
});
