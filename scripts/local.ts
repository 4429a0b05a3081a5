// Helpers for the local scripts: run wrangler, read and create .dev.vars.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const devVarsPath = join(root, ".dev.vars");

/** Runs wrangler from the project's own node_modules; throws with its output when it fails. */
export function wrangler(args: string[], opts: { quiet?: boolean } = {}): string {
  const bin = join(root, "node_modules", ".bin", "wrangler");
  const result = spawnSync(bin, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr ?? ""}`);
  return result.stdout;
}

/** Where the local D1 lives: wrangler's default (.wrangler/state) unless a directory is given. */
export const persistArgs = (persistTo?: string) => (persistTo ? ["--persist-to", persistTo] : []);

/** Runs one SQL statement on the local D1 and returns its rows. */
export function localQuery<T>(sql: string, persistTo?: string): T[] {
  const out = wrangler(["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--json", "--command", sql], {
    quiet: true,
  });
  const parsed = JSON.parse(out) as Array<{ results: T[] }>;
  return parsed[0]?.results ?? [];
}

export function readDevVars(): Record<string, string> {
  if (!existsSync(devVarsPath)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(devVarsPath, "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Z0-9_]+)\s*=\s*"?([^"]*)"?\s*$/);
    if (m?.[1]) vars[m[1]] = m[2] ?? "";
  }
  return vars;
}

/** Creates .dev.vars with random secrets for whatever is missing; returns the variables. */
export function ensureDevVars(): Record<string, string> {
  const vars = readDevVars();
  const wanted: Record<string, () => string> = {
    ADMIN_TOKEN: () => randomBytes(24).toString("base64url"),
    PASSWORD_PEPPER: () => randomBytes(32).toString("base64url"),
    // No provider locally: mail is recorded in the outbox only.
    MAIL_API_KEY: () => "",
    // The provider's delivery events locally: a random signing secret (whsec_ and base64, as the provider's).
    MAIL_WEBHOOK_SECRET: () => `whsec_${randomBytes(24).toString("base64")}`,
  };
  let changed = false;
  for (const [key, make] of Object.entries(wanted)) {
    if (!(key in vars)) {
      vars[key] = make();
      changed = true;
    }
  }
  if (changed) {
    const body = Object.entries(vars)
      .map(([k, v]) => `${k}="${v}"`)
      .join("\n");
    writeFileSync(devVarsPath, `# Local secrets, created by npm start; never commit.\n${body}\n`, { mode: 0o600 });
  }
  return vars;
}
