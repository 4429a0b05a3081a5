// drizzle-kit reads the schema and writes flat SQL migrations that wrangler and readD1Migrations apply.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
