// Help pages: the reservation guide and what to do when the library's mail does not arrive.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../../env";
import { MailHelpPage, ReservationHelpPage } from "./views";

export const helpPages = new Hono<AppEnv>()
  .get("/help/reservations", (c) => c.html(<ReservationHelpPage limit={Number(c.env.RESERVATION_LIMIT)} />))
  .get("/help/mail", (c) => c.html(<MailHelpPage fromAddress={c.env.MAIL_FROM} />));
