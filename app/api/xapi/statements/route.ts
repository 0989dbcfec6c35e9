import { handleXapiStatements } from "@/lib/dal/xapi";

export const dynamic = "force-dynamic";

/** Thin: authentication, validation and storage of statements live in lib/dal/xapi. */
export async function POST(req: Request) {
  return handleXapiStatements(req);
}

export async function PUT(req: Request) {
  return handleXapiStatements(req);
}

export async function GET(req: Request) {
  return handleXapiStatements(req);
}
