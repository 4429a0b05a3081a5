// `npm run check:config` (part of `npm test`): wrangler.toml's [triggers] crons are the UTC forms of each
// environment's Tokyo ACCEPTANCE_TIMES and NIGHTLY_TIME, and worker-configuration.d.ts is what `wrangler types`
// makes of the config now, and static/assets/ is what `npm run assets` makes of its sources. `npm run crons -- --write` rewrites the crons from the times.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { assetPlan } from "./assets-plan";
import { root, wrangler } from "./local";
import { cronCheck, ENVIRONMENTS, parseConfig, readConfigText, withCrons, writeConfigText } from "./wrangler-config";

const write = process.argv.includes("--write");
const cronsOnly = process.argv.includes("--crons");
let text = readConfigText();
const problems: string[] = [];
for (const env of ["", ...ENVIRONMENTS] as const) {
  const { wanted, listed } = cronCheck(parseConfig(text), env);
  const where = env === "" ? "[triggers]" : `[env.${env}.triggers]`;
  if (JSON.stringify([...wanted].sort()) === JSON.stringify([...listed].sort())) continue;
  if (write) {
    text = withCrons(text, env, wanted);
    console.log(`${where}: crons = ${JSON.stringify(wanted)}`);
  } else problems.push(`${where} lists ${JSON.stringify(listed)}, the Tokyo times need ${JSON.stringify(wanted)}`);
}
if (write) writeConfigText(text);

if (!cronsOnly) {
  // The types as `wrangler types` would write them now (secrets named in .dev.vars.example), header aside.
  // Written beside the real one, so the relative import paths inside come out the same.
  const fresh = join(root, ".worker-configuration.check.d.ts");
  try {
    wrangler(["types", fresh, "--env-file", ".dev.vars.example"], { quiet: true });
    const body = (path: string) => readFileSync(path, "utf8").split("\n").slice(2).join("\n");
    if (body(fresh) !== body(join(root, "worker-configuration.d.ts")))
      problems.push("worker-configuration.d.ts is out of date: run `npm run cf-typegen`");
  } finally {
    rmSync(fresh, { force: true });
  }
}

if (!cronsOnly) {
  // static/assets/ and its manifest are what `npm run assets` would write from the sources now.
  const { files, manifest } = await assetPlan();
  const dir = join(root, "static", "assets");
  const present = new Set(readdirSync(dir));
  const stale =
    files.some((f) => !present.has(f.name) || !readFileSync(join(dir, f.name)).equals(f.data)) ||
    present.size !== files.length ||
    readFileSync(join(root, "src/views/assets.ts"), "utf8") !== manifest;
  if (stale) problems.push("static/assets is out of date with its sources: run `npm run assets`");
}

if (problems.length > 0) {
  for (const p of problems) console.error(`check:config: ${p}`);
  process.exit(1);
}
console.log("check:config: crons match the Tokyo times; worker types and static assets are current");
