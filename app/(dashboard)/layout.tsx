import type { ReactNode } from "react";
import { Suspense } from "react";
import { requireViewer } from "@/lib/dal/session";
import { navPages, type PageKey } from "@/lib/dal/access";
import { getT } from "@/lib/i18n/server";
import { NavLinks } from "@/components/shell/NavLinks";
import { FilterBar } from "@/components/filters/FilterBar";
import { LanguageSwitch } from "@/components/filters/LanguageSwitch";
import { SignOutButton } from "@/components/shell/SignOutButton";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer();
  const { t, locale } = await getT();
  // Only the pages the viewer's roles may open (lib/dal/access.ts); each page checks again.
  const open = navPages(viewer);
  const all: Array<{ href: string; label: string; page: PageKey }> = [
    { href: "/overview", label: t("nav_overview"), page: "overview" },
    { href: "/sla", label: t("nav_sla"), page: "sla" },
    { href: "/queue", label: t("nav_queue"), page: "queue" },
    { href: "/team", label: t("nav_team"), page: "team" },
    { href: "/satisfaction", label: t("nav_satisfaction"), page: "satisfaction" },
    { href: "/outcomes", label: t("nav_outcomes"), page: "outcomes" },
    { href: "/shifts", label: t("nav_shifts"), page: "shifts" },
    { href: "/settings", label: t("nav_settings"), page: "settings" },
    { href: "/audit", label: t("nav_audit"), page: "audit" },
  ];
  const links = all.filter((l) => open.has(l.page)).map(({ href, label }) => ({ href, label }));
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-4 py-3">
          <span className="font-semibold text-blue-800">{t("appName")}</span>
          <NavLinks links={links} />
          <div className="ml-auto flex flex-wrap items-center gap-3">
            <Suspense fallback={<span className="text-sm text-slate-500">{t("loading")}</span>}>
              <FilterBar
                schools={viewer.schools.map((s) => ({ slug: s.slug, name: s.name }))}
                labels={{ school: t("school"), period: t("period"), from: t("from"), to: t("to"), apply: t("apply"), last7: t("last7"), last30: t("last30"), last90: t("last90") }}
              />
            </Suspense>
            <LanguageSwitch locale={locale} label={t("language")} />
            <span className="text-sm text-slate-600" title={viewer.email}>
              {viewer.name}
            </span>
            <SignOutButton label={t("signOut")} />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
