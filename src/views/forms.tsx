// The form kit every feature uses: the body reader, id parameters checked by zod, and the field error and
// error summary markup (linked to their inputs for screen readers).
import type { Context } from "hono";
import { AppError } from "../errors";
import { positiveInt } from "../validation";

export type Errors = Record<string, string>;
export type Form = Record<string, string | string[]>;

/** The posted form's text fields (a repeated name gives a list). A body that cannot be read is invalid_request. */
export async function readForm(c: Context): Promise<Form> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw new AppError("invalid_request", "送信された内容を読み取れませんでした。もう一度お試しください。");
  }
  const out: Form = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

/** One text field of a form (the first, if repeated); undefined when absent. */
export const field = (form: Form, name: string): string | undefined => {
  const v = form[name];
  return typeof v === "string" ? v : v?.[0];
};

/** A trimmed text field, undefined when blank (optional fields of staff forms). */
/** Every value of a repeated field (ticked checkboxes, hidden ids): none, one or many. */
export const fieldAll = (form: Form, name: string): unknown[] => {
  const v = form[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

export const given = (form: Form, name: string): string | undefined => field(form, name)?.trim() || undefined;

const positiveId = positiveInt();

/** A positive integer id from a path parameter or form field, or undefined. */
export function idOf(value: string | undefined): number | undefined {
  const r = positiveId.safeParse(value);
  return r.success ? r.data : undefined;
}

/** A path parameter that must be a record id: anything else is "not found". */
export function idParam(c: Context, name = "id", message = "指定されたものは見つかりませんでした。"): number {
  const id = idOf(c.req.param(name));
  if (id === undefined) throw new AppError("not_found", message);
  return id;
}

export function FieldError({ errors, name }: { errors: Errors; name: string }) {
  return errors[name] ? (
    <p class="error" id={`${name}-error`}>
      {errors[name]}
    </p>
  ) : null;
}

/** Attributes that tie an input to its error message. */
export const a11y = (errors: Errors, name: string) =>
  errors[name] ? { "aria-describedby": `${name}-error`, "aria-invalid": "true" } : {};

export function ErrorSummary({ errors }: { errors: Errors }) {
  const messages = Object.values(errors);
  if (messages.length === 0) return null;
  return (
    <div class="notice error-box" role="alert">
      <p>入力内容を確認してください。</p>
      <ul>
        {messages.map((m) => (
          <li class="error">{m}</li>
        ))}
      </ul>
    </div>
  );
}
