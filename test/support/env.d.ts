// Test-only bindings and the main module's exports, declared beside the generated Env.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../../src/index");
  }
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** test/fixtures/imports/*, base64 by file name (vitest.config.ts). */
    IMPORT_FIXTURES: Record<string, string>;
  }
}
