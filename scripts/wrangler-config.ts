// wrangler.toml as the scripts read it (smol-toml) and edit it (line edits, so its comments stay): the
// environments, their vars and crons, and the ids the deploy writes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { cronsOf, scheduleOf } from "../src/jobs/schedule";
import { root } from "./local";

export const CONFIG_PATH = join(root, "wrangler.toml");

export const ENVIRONMENTS = ["staging", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

interface Section {
  vars?: Record<string, string>;
  triggers?: { crons?: string[] };
  d1_databases?: Array<{ binding: string; database_name: string; database_id: string }>;
  r2_buckets?: Array<{ binding: string; bucket_name: string }>;
  queues?: {
    producers?: Array<{ binding: string; queue: string }>;
    consumers?: Array<{ queue: string; dead_letter_queue?: string }>;
  };
}

export interface Config extends Section {
  name: string;
  env?: Record<string, Section>;
}

export const readConfigText = () => readFileSync(CONFIG_PATH, "utf8");
export const writeConfigText = (text: string) => writeFileSync(CONFIG_PATH, text);
export const parseConfig = (text: string) => parse(text) as unknown as Config;

/** The section of an environment ('' is the top level, the local one). */
export function sectionOf(config: Config, env: "" | Environment): Section {
  if (env === "") return config;
  const section = config.env?.[env];
  if (!section) throw new Error(`wrangler.toml has no [env.${env}]`);
  return section;
}

/** The crons a section must list (from its ACCEPTANCE_TIMES and NIGHTLY_TIME) and the ones it lists. */
export function cronCheck(config: Config, env: "" | Environment): { wanted: string[]; listed: string[] } {
  const section = sectionOf(config, env);
  const vars = section.vars ?? {};
  const schedule = scheduleOf({ ACCEPTANCE_TIMES: vars.ACCEPTANCE_TIMES ?? "", NIGHTLY_TIME: vars.NIGHTLY_TIME ?? "" });
  return { wanted: cronsOf(schedule), listed: section.triggers?.crons ?? config.triggers?.crons ?? [] };
}

const headerOf = (env: "" | Environment, table: string) => (env === "" ? `[${table}]` : `[env.${env}.${table}]`);

/** The text with the first `key = …` line after a table header replaced (a line edit: comments stay). */
function withLine(text: string, header: string, key: string, value: string): string {
  const lines = text.split("\n");
  const at = lines.indexOf(header);
  const line = lines.findIndex((l, i) => i > at && l.startsWith(`${key} =`));
  if (at < 0 || line < 0) throw new Error(`wrangler.toml has no ${key} under ${header}`);
  lines[line] = `${key} = ${value}`;
  return lines.join("\n");
}

/** The text with the `crons = [...]` line of a section's [triggers] replaced. */
export const withCrons = (text: string, env: "" | Environment, crons: string[]): string =>
  withLine(text, headerOf(env, "triggers"), "crons", `[${crons.map((c) => JSON.stringify(c)).join(", ")}]`);

/** The text with the database_id of an environment's D1 binding replaced. */
export const withDatabaseId = (text: string, env: Environment, id: string): string =>
  withLine(text, `[[env.${env}.d1_databases]]`, "database_id", JSON.stringify(id));

/** The id a fresh checkout carries until the deploy writes the real one. */
export const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";
