// The client address as the login throttle counts it: IPv4 as is, IPv6 by its /64 (one household or
// customer usually holds a whole /64, so single addresses would be free to rotate).

function expandIpv6(address: string): string[] | undefined {
  const [head = "", tail, extra] = address.split("::");
  if (extra !== undefined) return undefined;
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.length === 8 ? groups : undefined;
}

export function addressGroup(address: string): string {
  if (!address.includes(":")) return address;
  const groups = expandIpv6(address.toLowerCase());
  if (!groups) return address;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}

/** The client's address as Cloudflare reports it ("local" under tests and wrangler dev without one). */
export const clientAddress = (c: { req: { header: (name: string) => string | undefined } }) =>
  c.req.header("CF-Connecting-IP") ?? "local";
