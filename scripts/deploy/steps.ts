// The steps of `npm run deploy -- --env staging|production`, each safe to repeat: find or create the D1
// database, queues and R2 bucket named in wrangler.toml, write the database id back, apply the migrations,
// check the secrets, deploy. Wrangler runs through `Cli`, so a test can give it a recorded account.
import { type Config, type Environment, PLACEHOLDER_ID, sectionOf, withDatabaseId } from "../wrangler-config";

export interface CliResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}
export type Cli = (args: string[]) => CliResult;

export interface Resources {
  database: { name: string; id: string };
  queues: string[];
  buckets: string[];
}

/** What an environment's section of wrangler.toml asks for. */
export function resourcesOf(config: Config, env: Environment): Resources {
  const s = sectionOf(config, env);
  const db = s.d1_databases?.find((d) => d.binding === "DB");
  if (!db) throw new Error(`[env.${env}] has no D1 binding DB`);
  const queues = new Set<string>();
  for (const p of s.queues?.producers ?? []) queues.add(p.queue);
  for (const c of s.queues?.consumers ?? []) {
    queues.add(c.queue);
    if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
  }
  return {
    database: { name: db.database_name, id: db.database_id },
    queues: [...queues],
    buckets: (s.r2_buckets ?? []).map((b) => b.bucket_name),
  };
}

/** Secrets the Worker refuses to run without (MAIL_API_KEY only when a provider is configured). */
export function requiredSecrets(config: Config, env: Environment): string[] {
  const provider = sectionOf(config, env).vars?.MAIL_PROVIDER_URL ?? "";
  return ["ADMIN_TOKEN", "PASSWORD_PEPPER", ...(provider.trim() ? ["MAIL_API_KEY"] : [])];
}

const must = (r: CliResult, what: string) => {
  if (!r.ok) throw new Error(`${what} failed:\n${r.stderr || r.stdout}`);
  return r.stdout;
};

/** The database's id, creating the database when the account has none of that name. */
export function ensureDatabase(cli: Cli, name: string, log: (s: string) => void): string {
  const list = JSON.parse(must(cli(["d1", "list", "--json"]), "wrangler d1 list")) as Array<{ name: string; uuid: string }>;
  const found = list.find((d) => d.name === name);
  if (found) {
    log(`D1 ${name}: exists (${found.uuid})`);
    return found.uuid;
  }
  must(cli(["d1", "create", name]), `wrangler d1 create ${name}`);
  const again = JSON.parse(must(cli(["d1", "list", "--json"]), "wrangler d1 list")) as Array<{ name: string; uuid: string }>;
  const made = again.find((d) => d.name === name);
  if (!made) throw new Error(`D1 ${name} was created but is not listed`);
  log(`D1 ${name}: created (${made.uuid})`);
  return made.uuid;
}

export function ensureQueue(cli: Cli, name: string, log: (s: string) => void): void {
  if (cli(["queues", "info", name]).ok) {
    log(`queue ${name}: exists`);
    return;
  }
  must(cli(["queues", "create", name]), `wrangler queues create ${name}`);
  log(`queue ${name}: created`);
}

export function ensureBucket(cli: Cli, name: string, log: (s: string) => void): void {
  if (cli(["r2", "bucket", "info", name]).ok) {
    log(`R2 ${name}: exists`);
    return;
  }
  must(cli(["r2", "bucket", "create", name]), `wrangler r2 bucket create ${name}`);
  log(`R2 ${name}: created`);
}

/** The required secrets the deployed Worker does not have yet (none exist before its first deploy). */
export function missingSecrets(cli: Cli, env: Environment, required: string[]): string[] {
  const r = cli(["secret", "list", "--env", env, "--format", "json"]);
  const have = r.ok ? new Set((JSON.parse(r.stdout) as Array<{ name: string }>).map((s) => s.name)) : new Set<string>();
  return required.filter((n) => !have.has(n));
}

/** The workers.dev or custom-domain address wrangler printed after deploying. */
export const deployedUrl = (out: string): string | undefined => out.match(/https:\/\/[^\s]+/)?.[0];

export interface DeployOutcome {
  missing: string[];
  url?: string;
}

/**
 * Every step in order. The database id goes into wrangler.toml (`save`) before the migrations, which read it;
 * stops before deploying when a secret is missing (the Worker would refuse to log anyone in).
 */
export function deploy(
  cli: Cli,
  env: Environment,
  config: Config,
  configText: string,
  save: (text: string) => void,
  log: (s: string) => void,
): DeployOutcome {
  must(cli(["whoami", "--json"]), "wrangler whoami (log in with `npx wrangler login` or set CLOUDFLARE_API_TOKEN)");
  const wanted = resourcesOf(config, env);
  const id = ensureDatabase(cli, wanted.database.name, log);
  if (wanted.database.id !== id) {
    save(withDatabaseId(configText, env, id));
    log(
      `wrangler.toml: [env.${env}] database_id = ${id}${wanted.database.id === PLACEHOLDER_ID ? " (was the placeholder)" : ""}`,
    );
  }
  for (const q of wanted.queues) ensureQueue(cli, q, log);
  for (const b of wanted.buckets) ensureBucket(cli, b, log);
  const missing = missingSecrets(cli, env, requiredSecrets(config, env));
  if (missing.length > 0) return { missing };
  return { missing, ...finish(cli, env, log) };
}

/** Migrations (remote), then the Worker itself. */
function finish(cli: Cli, env: Environment, log: (s: string) => void): { url?: string } {
  must(cli(["d1", "migrations", "apply", "DB", "--remote", "--env", env]), "wrangler d1 migrations apply --remote");
  log("D1 migrations: applied");
  const out = must(cli(["deploy", "--env", env]), "wrangler deploy");
  const url = deployedUrl(out);
  return url ? { url } : {};
}
