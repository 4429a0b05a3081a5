// Test-only bindings, declared beside the generated Env.
declare module "cloudflare:test" {
  interface ProvidedEnv extends Env {
    TEST_MIGRATIONS: D1Migration[];
    ADMIN_TOKEN: string;
    PASSWORD_PEPPER: string;
  }
}
