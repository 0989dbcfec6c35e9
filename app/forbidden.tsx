import Link from "next/link";
import { getT } from "@/lib/i18n/server";
import { getViewer } from "@/lib/dal/session";
import { navPages, type PageKey } from "@/lib/dal/access";

/**
 * Rendered instead of a page that refuses the viewer's role (AccessError, lib/dal/access.ts): says so,
 * and offers the pages this viewer may open (a team lead signing in lands on /overview, which is not theirs).
 */
export default async function Forbidden() {
  const [{ t }, viewer] = await Promise.all([getT(), getViewer()]);
  const open = viewer ? navPages(viewer) : new Set<PageKey>();
  const links: Array<{ href: string; label: string; page: PageKey }> = [
    { href: "/overview", label: t("nav_overview"), page: "overview" },
    { href: "/queue", label: t("nav_queue"), page: "queue" },
    { href: "/team", label: t("nav_team"), page: "team" },
    { href: "/shifts", label: t("nav_shifts"), page: "shifts" },
  ];
  return (
    <main className="mx-auto flex max-w-lg flex-col gap-3 p-8" data-testid="forbidden">
      <h1 className="text-xl font-semibold">{t("forbiddenTitle")}</h1>
      <p className="text-slate-700">{t("forbiddenText")}</p>
      <p className="flex gap-4 text-sm">
        {links
          .filter((l) => open.has(l.page))
          .map((l) => (
            <Link key={l.href} href={l.href} className="text-blue-700 underline">
              {l.label}
            </Link>
          ))}
      </p>
    </main>
  );
}
