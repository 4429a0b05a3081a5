// Worker entry: the Hono app handles every request that is not a static asset; Durable Object classes
// are exported for their bindings.
import { buildApp } from "./app";

export { PatronObject } from "./objects/patron";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
