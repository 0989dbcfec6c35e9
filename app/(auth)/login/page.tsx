import { getT } from "@/lib/i18n/server";
import { LoginForm } from "@/components/shell/LoginForm";
import { LanguageSwitch } from "@/components/filters/LanguageSwitch";
import { oidcButtons } from "@/lib/auth/oidc";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string; expired?: string }> }) {
  const { t, locale } = await getT();
  const sp = await searchParams;
  const error =
    sp.error === "RateLimited"
      ? t("signInRateLimited")
      : sp.error === "NoAccount" || sp.error === "AccessDenied"
        ? t("signInNoAccount")
        : sp.error
          ? t("signInFailed")
          : sp.expired
            ? t("signInExpired")
            : null;
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  const next = sp.callbackUrl && sp.callbackUrl.startsWith("/") && !sp.callbackUrl.startsWith("//") ? sp.callbackUrl : "/";
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold">{t("signInTitle")}</h1>
        <LanguageSwitch locale={locale} label={t("language")} />
      </div>
      <LoginForm
        labels={{ email: t("email"), password: t("password"), submit: t("signIn"), signInWith: t("signInWith"), or: t("or") }}
        error={error}
        next={next}
        providers={oidcButtons(env())}
      />
    </main>
  );
}
