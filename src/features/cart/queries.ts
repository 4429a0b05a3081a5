// The 予約カート: a guest's cart (cookie id, kept a week) or a patron's cart (follows the patron across
// devices). One row per material: adding it again replaces the pickup branch.
import { and, asc, count, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import { randomToken } from "../../auth/tokens";
import type { D1, Db } from "../../db/client";
import { branches, cartItems, carts, materials, reservations } from "../../db/schema";
import type { ReservationStatus } from "../../domain/codes";
import { isActiveSql } from "../../reservations/sql";

export const CART_COOKIE = "__Host-cart";
export const GUEST_CART_MS = 7 * 24 * 60 * 60 * 1000;

/** The patron's cart id, made on first use. */
export async function patronCartId(db: Db, patronId: number, now: number): Promise<string> {
  const [row] = await db.select({ id: carts.id }).from(carts).where(eq(carts.patronId, patronId)).limit(1);
  if (row) return row.id;
  const id = randomToken();
  await db.insert(carts).values({ id, patronId, createdAt: now, updatedAt: now }).onConflictDoNothing();
  const [made] = await db.select({ id: carts.id }).from(carts).where(eq(carts.patronId, patronId)).limit(1);
  return made?.id ?? id;
}

/** A guest cart that still exists and has not expired. */
export async function liveGuestCart(db: Db, id: string, now: number): Promise<boolean> {
  const [row] = await db
    .select({ id: carts.id })
    .from(carts)
    .where(and(eq(carts.id, id), isNull(carts.patronId), gt(carts.expiresAt, now)))
    .limit(1);
  return Boolean(row);
}

/** Guest carts one client address may start in a day (a family behind one router fits easily). */
export const GUEST_CARTS_PER_ADDRESS_PER_DAY = 20;
const DAY = 24 * 60 * 60 * 1000;

/** A new guest cart for a client address group, or undefined when that address made too many today. */
export async function newGuestCart(db: Db, now: number, addressKey: string): Promise<string | undefined> {
  const [made] = await db
    .select({ n: count() })
    .from(carts)
    .where(and(eq(carts.addressKey, addressKey), isNull(carts.patronId), gt(carts.createdAt, now - DAY)));
  if ((made?.n ?? 0) >= GUEST_CARTS_PER_ADDRESS_PER_DAY) return undefined;
  const id = randomToken();
  await db.insert(carts).values({ id, createdAt: now, updatedAt: now, expiresAt: now + GUEST_CART_MS, addressKey });
  return id;
}

export interface CartLine {
  materialId: number;
  title: string;
  author: string | null;
  pickupBranch: string;
  pickupBranchName: string;
}

const linesWhere = (db: Db, where: SQL | undefined) =>
  db
    .select({
      materialId: cartItems.materialId,
      title: materials.title,
      author: materials.author,
      pickupBranch: cartItems.pickupBranch,
      pickupBranchName: branches.name,
    })
    .from(cartItems)
    .innerJoin(materials, eq(materials.id, cartItems.materialId))
    .innerJoin(branches, eq(branches.code, cartItems.pickupBranch))
    .innerJoin(carts, eq(carts.id, cartItems.cartId))
    .where(where)
    .orderBy(asc(cartItems.addedAt));

export const cartLines = (db: Db, cartId: string): Promise<CartLine[]> => linesWhere(db, eq(cartItems.cartId, cartId));

/** Whose cart a page shows: the patron's, or a guest's by its cookie (only while it lives). */
export type CartOwner = { patronId: number } | { guestId: string; now: number };

/**
 * A cart page's reads in one round trip: the owner's lines (none when the cart does not exist yet or
 * has expired) and, for a patron, the reservations counting toward the limit.
 */
export async function cartView(
  db: Db,
  owner: CartOwner,
): Promise<{ lines: CartLine[]; active?: number; reserved?: Map<number, ReservationStatus> }> {
  if (!("patronId" in owner)) {
    const live = and(eq(carts.id, owner.guestId), isNull(carts.patronId), gt(carts.expiresAt, owner.now));
    return { lines: await linesWhere(db, live) };
  }
  const [lines, active, reserved] = await db.batch([
    linesWhere(db, eq(carts.patronId, owner.patronId)),
    db
      .select({ n: count() })
      .from(reservations)
      .where(and(eq(reservations.patronId, owner.patronId), sql.raw(isActiveSql()))),
    // Materials in the cart the patron already has an active reservation of: applying would be refused.
    db
      .select({ materialId: reservations.materialId, status: reservations.status })
      .from(reservations)
      .where(
        and(
          eq(reservations.patronId, owner.patronId),
          sql.raw(isActiveSql("reservations.status")),
          sql`${reservations.materialId} IN (SELECT ci.material_id FROM cart_items ci JOIN carts ca ON ca.id = ci.cart_id WHERE ca.patron_id = ${owner.patronId})`,
        ),
      ),
  ]);
  return { lines, active: active[0]?.n ?? 0, reserved: new Map(reserved.map((r) => [r.materialId, r.status])) };
}

/** Puts a material in the cart, or changes its pickup branch. */
export async function putCartItem(db: Db, cartId: string, materialId: number, pickupBranch: string, now: number): Promise<void> {
  await db.batch([
    db
      .insert(cartItems)
      .values({ cartId, materialId, pickupBranch, addedAt: now })
      .onConflictDoUpdate({ target: [cartItems.cartId, cartItems.materialId], set: { pickupBranch } }),
    db.update(carts).set({ updatedAt: now }).where(eq(carts.id, cartId)),
  ]);
}

/** The pickup branch of the patron's newest reservation: their last choice when the cart has none. */
export async function lastReservationPickup(d1: D1, patronId: number): Promise<string | undefined> {
  const row = await d1
    .prepare("SELECT pickup_branch AS b FROM reservations WHERE patron_id = ? ORDER BY applied_at DESC LIMIT 1")
    .bind(patronId)
    .first<{ b: string }>();
  return row?.b;
}

export async function removeCartItem(db: Db, cartId: string, materialId: number): Promise<void> {
  await db.delete(cartItems).where(and(eq(cartItems.cartId, cartId), eq(cartItems.materialId, materialId)));
}

/** On login the guest's cart joins the patron's (the guest's choice of pickup wins), then goes. */
export async function mergeGuestCart(d1: D1, guestId: string, patronCart: string): Promise<void> {
  if (guestId === patronCart) return;
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO cart_items (cart_id, material_id, pickup_branch, added_at)
         SELECT ?1, material_id, pickup_branch, added_at FROM cart_items WHERE cart_id = ?2
         ON CONFLICT (cart_id, material_id) DO UPDATE SET pickup_branch = excluded.pickup_branch`,
      )
      .bind(patronCart, guestId),
    d1.prepare("DELETE FROM carts WHERE id = ? AND patron_id IS NULL").bind(guestId),
  ]);
}
