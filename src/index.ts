// Worker entry: the Hono app handles every request that is not a static asset.
import { buildApp } from "./app";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
