import { ratingsAsked } from "@/lib/dal/ratings";

export const dynamic = "force-dynamic";

/** For a school's bot: the episodes it has just asked about (docs/ratings.md). */
export async function POST(req: Request) {
  return ratingsAsked(req);
}
