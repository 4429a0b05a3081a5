// Validation at the door: one zod schema feeds both a page's field errors and the API's invalid_request.fields.
// zod/mini (functions, not methods) keeps the Worker small: the classic build cost ~100 KB of the bundle.
import * as z from "zod/mini";
import { invalidRequest } from "./errors";

/** Field name → first Japanese message, from a zod error. */
export function fieldErrors(error: z.core.$ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const name = issue.path.map(String).join(".") || "_";
    fields[name] ??= issue.message;
  }
  return fields;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; fields: Record<string, string> };

export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, data: result.data } : { ok: false, fields: fieldErrors(result.error) };
}

/** The input as the schema reads it, or 400 invalid_request with the fields (the first message as the message). */
export function parseOr400<S extends z.ZodMiniType>(schema: S, input: unknown): z.output<S> {
  const parsed = parseWith(schema, input);
  if (!parsed.ok) throw invalidRequest(parsed.fields, Object.values(parsed.fields)[0]);
  return parsed.data;
}

/** The hook for @hono/zod-validator: a failed validation becomes the contract's invalid_request. */
export const throwInvalid = (result: { success: boolean; error?: unknown }) => {
  if (!result.success) throw invalidRequest(fieldErrors(result.error as z.core.$ZodError));
};

/** Japanese messages for zod's own issues that a schema did not word itself. */
z.config({
  customError: (issue) => {
    if (issue.code === "invalid_type") return "値の形式が正しくありません。";
    if (issue.code === "unrecognized_keys") return "不明な項目があります。";
    if (issue.code === "too_big")
      return issue.origin === "string"
        ? `${issue.maximum}文字以内で入力してください。`
        : `${issue.maximum}以下で指定してください。`;
    if (issue.code === "too_small")
      return issue.origin === "string" ? "入力してください。" : `${issue.minimum}以上で指定してください。`;
    if (issue.code === "invalid_value") return "指定できない値です。";
    if (issue.code === "invalid_format") return "形式が正しくありません。";
    return "値が正しくありません。";
  },
});

/** A positive integer, from a number or (coerced) from text, with one message for anything else. */
export const positiveInt = (error?: string) => {
  const p = error ? { error } : {};
  return z.pipe(z.coerce.number(p), z.int(p).check(z.positive(p)));
};

/** A record id in a JSON body: a positive integer already (no coercion from text). */
export const jsonId = () => z.int().check(z.positive());
