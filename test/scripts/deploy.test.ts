// The deploy's steps against an account that answers as wrangler does (no network here): what is missing is
// created once, the database id lands in wrangler.toml, a missing secret stops before anything is deployed,
// and running it again creates nothing new.
import { describe, expect, it } from "vitest";
import { type Cli, deploy, deployedUrl, requiredSecrets, resourcesOf } from "../../scripts/deploy/steps";
import { cronCheck, PLACEHOLDER_ID, parseConfig, readConfigText, withCrons, withDatabaseId } from "../../scripts/wrangler-config";

/** A Cloudflare account as wrangler's commands see it; records every command run. */
function account() {
  const state = {
    databases: new Map<string, string>(),
    queues: new Set<string>(),
    buckets: new Set<string>(),
    secrets: new Set<string>(),
  };
  const calls: string[] = [];
  const ok = (stdout = "") => ({ ok: true, stdout, stderr: "" });
  const no = (stderr: string) => ({ ok: false, stdout: "", stderr });
  const cli: Cli = (args) => {
    const cmd = args.join(" ");
    calls.push(cmd);
    const [a, b, c] = args;
    if (a === "whoami") return ok("{}");
    if (a === "d1" && b === "list") return ok(JSON.stringify([...state.databases].map(([name, uuid]) => ({ name, uuid }))));
    if (a === "d1" && b === "create" && c) {
      state.databases.set(c, `uuid-of-${c}`);
      return ok();
    }
    if (a === "queues" && b === "info" && c) return state.queues.has(c) ? ok() : no("Queue not found");
    if (a === "queues" && b === "create" && c) return state.queues.add(c) && ok();
    if (a === "r2" && args[2] === "info") return state.buckets.has(args[3] as string) ? ok() : no("not found");
    if (a === "r2" && args[2] === "create") return state.buckets.add(args[3] as string) && ok();
    if (a === "secret" && b === "list")
      return ok(JSON.stringify([...state.secrets].map((name) => ({ name, type: "secret_text" }))));
    if (a === "d1" && b === "migrations") return ok("Migrations applied");
    if (a === "deploy")
      return ok("Uploaded library-reservations-staging\nhttps://library-reservations-staging.example.workers.dev\n");
    return no(`unexpected: ${cmd}`);
  };
  return { state, calls, cli };
}

const text = readConfigText();
const config = parseConfig(text);

describe("npm run deploy", () => {
  it("reads what each environment needs from wrangler.toml", () => {
    expect(resourcesOf(config, "staging")).toEqual({
      database: { name: "library-staging", id: PLACEHOLDER_ID },
      queues: ["library-mail-staging", "library-imports-staging", "library-mail-dlq-staging"],
      buckets: ["library-imports-staging"],
    });
    expect(requiredSecrets(config, "staging")).toEqual(["ADMIN_TOKEN", "PASSWORD_PEPPER"]);
    expect(requiredSecrets(config, "production")).toEqual(["ADMIN_TOKEN", "PASSWORD_PEPPER", "MAIL_API_KEY"]);
  });

  it("creates what is missing once, stops for secrets, then deploys; a re-run creates nothing", () => {
    const { state, calls, cli } = account();
    let saved = text;
    const log: string[] = [];
    const first = deploy(
      cli,
      "staging",
      config,
      text,
      (t) => (saved = t),
      (l) => log.push(l),
    );
    expect(first).toEqual({ missing: ["ADMIN_TOKEN", "PASSWORD_PEPPER"] });
    expect([...state.databases.keys()]).toEqual(["library-staging"]);
    expect([...state.queues].sort()).toEqual(["library-imports-staging", "library-mail-dlq-staging", "library-mail-staging"]);
    expect([...state.buckets]).toEqual(["library-imports-staging"]);
    expect(calls.some((c) => c.startsWith("deploy") || c.startsWith("d1 migrations"))).toBe(false);
    // The id went into [env.staging] only.
    const written = parseConfig(saved);
    expect(written.env?.staging?.d1_databases?.[0]?.database_id).toBe("uuid-of-library-staging");
    expect(written.env?.production?.d1_databases?.[0]?.database_id).toBe(PLACEHOLDER_ID);
    expect(written.d1_databases?.[0]?.database_id).toBe(config.d1_databases?.[0]?.database_id);

    state.secrets.add("ADMIN_TOKEN").add("PASSWORD_PEPPER");
    calls.length = 0;
    const second = deploy(
      cli,
      "staging",
      written,
      saved,
      (t) => (saved = t),
      () => undefined,
    );
    expect(second).toEqual({ missing: [], url: "https://library-reservations-staging.example.workers.dev" });
    expect(calls.filter((c) => c.includes("create"))).toEqual([]);
    expect(calls).toContain("d1 migrations apply DB --remote --env staging");
    expect(calls.at(-1)).toBe("deploy --env staging");
  });

  it("stops at once when wrangler is not logged in", () => {
    const cli: Cli = (args) =>
      args[0] === "whoami" ? { ok: false, stdout: "", stderr: "Not logged in" } : { ok: true, stdout: "[]", stderr: "" };
    expect(() =>
      deploy(
        cli,
        "production",
        config,
        text,
        () => undefined,
        () => undefined,
      ),
    ).toThrow(/npx wrangler login/);
  });

  it("finds the address in wrangler's output", () => {
    expect(deployedUrl("Deployed\n  https://x.example.workers.dev\nCurrent Version ID: 1")).toBe("https://x.example.workers.dev");
  });
});

describe("wrangler.toml edits keep the file as it was elsewhere", () => {
  it("rewrites one section's crons and database id and nothing else", () => {
    const edited = withDatabaseId(withCrons(text, "production", ["30 23 * * *", "0 17 * * *"]), "production", "abc");
    const lines = (t: string) => t.split("\n");
    const changed = lines(edited).filter((l, i) => l !== lines(text)[i]);
    expect(changed).toEqual(['database_id = "abc"', 'crons = ["30 23 * * *", "0 17 * * *"]']);
    expect(cronCheck(parseConfig(edited), "staging")).toEqual(cronCheck(config, "staging"));
  });
});
