// The Worker's configuration, checked: secrets that are missing or too weak, and vars that do not parse.
// Problems name the setting and never show its value. Checked at the first request (logged), on the staff
// status page, and wherever a secret is used (nothing is hashed or written with an empty pepper).
import { AppError } from "./errors";
import { settingsProblems } from "./settings";

export interface ConfigProblem {
  name: string;
  message: string;
}

/** Secrets shorter than this are refused as guessable. */
export const MIN_SECRET_LENGTH = 8;

const secretProblem = (name: string, value: string | undefined): ConfigProblem | undefined => {
  if (!value) return { name, message: `${name} が設定されていません（wrangler secret put ${name}）。` };
  if (value.length < MIN_SECRET_LENGTH)
    return { name, message: `${name} が短すぎます（${MIN_SECRET_LENGTH}文字以上のランダムな値にしてください）。` };
  return undefined;
};

export function configProblems(env: Env): ConfigProblem[] {
  return [
    secretProblem("PASSWORD_PEPPER", env.PASSWORD_PEPPER),
    secretProblem("ADMIN_TOKEN", env.ADMIN_TOKEN),
    ...settingsProblems(env),
  ].filter((p): p is ConfigProblem => p !== undefined);
}

/** The pepper, or 503 configuration_error naming it: no password is hashed or checked with a missing one. */
export function pepperOf(env: Pick<Env, "PASSWORD_PEPPER">): string {
  const problem = secretProblem("PASSWORD_PEPPER", env.PASSWORD_PEPPER);
  if (problem)
    throw new AppError("configuration_error", `システムの設定に不備があるため、この操作はできません：${problem.message}`, {
      setting: problem.name,
    });
  return env.PASSWORD_PEPPER;
}

let logged = false;

/** Once per isolate, at the first request: say in the log which settings are wrong (names only). */
export function logConfigProblemsOnce(env: Env): void {
  if (logged) return;
  logged = true;
  const problems = configProblems(env);
  if (problems.length > 0) console.error("configuration problems", problems.map((p) => p.name).join(", "));
}
