import { redirect } from "next/navigation";
import { landingPath } from "@/lib/dal/access";

/**
 * Where "/" and a fresh sign-in land: the first page this viewer's roles may open (overview for heads and
 * executives, the queue for team leads and staff), so nobody starts on a "no access" page.
 */
export default async function Home() {
  redirect(await landingPath());
}
