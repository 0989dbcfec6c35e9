import { ratingsDue } from "@/lib/dal/ratings";

export const dynamic = "force-dynamic";

/** For a school's bot: answered episodes to ask a rating about (docs/ratings.md). */
export async function GET(req: Request) {
  return ratingsDue(req);
}
