import { handleWebhook } from "@/lib/dal/webhooks";

export const dynamic = "force-dynamic";

/** Thin: the source is verified, parsed and stored in lib/dal/webhooks. */
export async function POST(req: Request, ctx: { params: Promise<{ source: string }> }) {
  const { source } = await ctx.params;
  return handleWebhook(source, req);
}
