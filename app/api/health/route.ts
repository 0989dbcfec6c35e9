import { checkHealth } from "@/lib/dal/health";

export const dynamic = "force-dynamic";

/** Liveness for the demo launcher and operators: answers 200 once the database is reachable. */
export async function GET() {
  const h = await checkHealth();
  return Response.json(h, { status: h.ok ? 200 : 503 });
}
