// /robots.txt: crawlers may read the top page, materials and the calendar, never the endless combinations of
// search results, the cart, login, accounts, staff pages or the API (bots make most OPAC traffic).
/** The rules, with the sitemap's absolute address (the protocol asks for one). */
export const robotsTxt = (baseUrl: string) => `User-agent: *
Disallow: /search
Disallow: /cart
Disallow: /login
Disallow: /account
Disallow: /admin
Disallow: /api/
Allow: /materials/
Allow: /calendar
Allow: /branches
Allow: /isbn/

Sitemap: ${baseUrl}/sitemap.xml
`;

/** A day in browsers and shared caches: the rules change with a deploy, not with the catalog. */
export const ROBOTS_CACHE = "public, max-age=86400";
