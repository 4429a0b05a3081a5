// Three projects: "workers" runs unit and integration tests inside workerd against real local D1; "scripts"
// tests the deploy and config scripts in Node; "e2e" drives Debian's Chromium against `wrangler dev` (skipped, and said so, when Chromium is absent).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // The sample import files, as base64 (tests inside workerd cannot read the disk; some are Shift_JIS).
  const fixtureDir = path.join(import.meta.dirname, "test/fixtures/imports");
  const importFixtures = Object.fromEntries(
    readdirSync(fixtureDir).map((name) => [name, readFileSync(path.join(fixtureDir, name)).toString("base64")]),
  );
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  IMPORT_FIXTURES: importFixtures,
                  ADMIN_TOKEN: "test-admin-token",
                  PASSWORD_PEPPER: "test-pepper",
                  MAIL_API_KEY: "test-mail-key",
                  MAIL_WEBHOOK_SECRET: "whsec_dGVzdC13ZWJob29rLXNlY3JldC0zMi1ieXRlcyEh",
                  // Tests write the catalog straight to D1: each request reads the catalog version again.
                  CATALOG_CHECK_SECONDS: "0",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/unit/**/*.test.{ts,tsx}", "test/integration/**/*.test.{ts,tsx}"],
            setupFiles: ["test/support/apply-migrations.ts"],
          },
        },
        {
          // The deploy and config scripts, in Node (they run wrangler and read wrangler.toml).
          test: { name: "scripts", environment: "node", include: ["test/scripts/**/*.test.ts"] },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
