import { ratingSubmit } from "@/lib/dal/ratings";

export const dynamic = "force-dynamic";

/** For a school's bot: a student's rating, with the token the due list gave (docs/ratings.md). */
export async function POST(req: Request) {
  return ratingSubmit(req);
}
