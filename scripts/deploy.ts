// `npm run deploy -- --env staging|production`: everything wrangler.toml names for that environment, created
// when missing, then migrations, a secrets check and the deploy (docs/deploy.md). Re-running it is safe.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type Cli, deploy } from "./deploy/steps";
import { root } from "./local";
import { ENVIRONMENTS, type Environment, parseConfig, readConfigText, writeConfigText } from "./wrangler-config";

const at = process.argv.indexOf("--env");
const env = process.argv[at + 1] as Environment;
if (at < 0 || !ENVIRONMENTS.includes(env)) {
  console.error(`Usage: npm run deploy -- --env ${ENVIRONMENTS.join("|")}`);
  process.exit(1);
}

const cli: Cli = (args) => {
  const r = spawnSync(join(root, "node_modules", ".bin", "wrangler"), args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
};

// The crons must match the Tokyo times, and the bundle its budget, before anything reaches the account.
for (const [script, ...args] of [
  ["check-config.ts", "--crons"],
  ["check-bundle.ts", "--env", env],
]) {
  const r = spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "scripts", script as string), ...args], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const text = readConfigText();
try {
  const outcome = deploy(cli, env, parseConfig(text), text, writeConfigText, (line) => console.log(`  ${line}`));
  if (outcome.missing.length > 0) {
    console.error(`\nNot deployed: ${env} lacks the secret(s) ${outcome.missing.join(", ")}. Set each, then run this again:`);
    for (const name of outcome.missing)
      console.error(
        `  npx wrangler secret put ${name} --env ${env}${name === "MAIL_API_KEY" ? "" : "   # a random value: openssl rand -base64 32"}`,
      );
    process.exit(1);
  }
  const vars = parseConfig(readConfigText()).env?.[env]?.vars ?? {};
  console.log(`\nDeployed ${env}: ${outcome.url ?? "(see wrangler's output above)"}`);
  console.log(`  Staff page: ${vars.PUBLIC_BASE_URL ?? outcome.url}/admin   (the ADMIN_TOKEN secret you set)`);
  if (outcome.url && vars.PUBLIC_BASE_URL && !outcome.url.startsWith(vars.PUBLIC_BASE_URL))
    console.log(
      `  Links in mail use PUBLIC_BASE_URL (${vars.PUBLIC_BASE_URL}): point your domain at the Worker (docs/deploy.md).`,
    );
  console.log("  Commit wrangler.toml if the deploy wrote a database id into it.");
} catch (err) {
  console.error(`\n${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
