import type { Provider } from "next-auth/providers/index";
import AzureADProvider from "next-auth/providers/azure-ad";
import GoogleProvider from "next-auth/providers/google";
import KeycloakProvider from "next-auth/providers/keycloak";
import type { Env } from "../env";

/**
 * OIDC providers for schools with a directory, each offered only when its variables are all set
 * (lib/env.ts, docs/security.md). They only prove who the person is: the signIn callback maps the
 * directory's e-mail to an existing user and refuses anyone else, so no account is ever created here.
 */
export function oidcProviders(e: Env): Provider[] {
  const list: Provider[] = [];
  if (e.AUTH_KEYCLOAK_ID && e.AUTH_KEYCLOAK_SECRET && e.AUTH_KEYCLOAK_ISSUER) {
    list.push(KeycloakProvider({ clientId: e.AUTH_KEYCLOAK_ID, clientSecret: e.AUTH_KEYCLOAK_SECRET, issuer: e.AUTH_KEYCLOAK_ISSUER }));
  }
  if (e.AUTH_AZURE_AD_ID && e.AUTH_AZURE_AD_SECRET && e.AUTH_AZURE_AD_TENANT_ID) {
    list.push(AzureADProvider({ clientId: e.AUTH_AZURE_AD_ID, clientSecret: e.AUTH_AZURE_AD_SECRET, tenantId: e.AUTH_AZURE_AD_TENANT_ID }));
  }
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) {
    list.push(
      GoogleProvider({
        clientId: e.AUTH_GOOGLE_ID,
        clientSecret: e.AUTH_GOOGLE_SECRET,
        // `hd` only preselects the domain on Google's page; the signIn callback checks the claim itself.
        authorization: e.AUTH_GOOGLE_HOSTED_DOMAIN ? { params: { hd: e.AUTH_GOOGLE_HOSTED_DOMAIN, prompt: "select_account" } } : undefined,
      }),
    );
  }
  return list;
}

/** Provider ids and display names for the sign-in page. */
export function oidcButtons(e: Env): Array<{ id: string; name: string }> {
  return oidcProviders(e).map((p) => ({ id: p.id, name: p.name }));
}

/**
 * The e-mail a directory vouches for, or null. Google must say it verified the address (and, with a
 * hosted domain set, that the account belongs to it); Azure AD may omit `email`, then its UPN is used.
 */
export function directoryEmail(provider: string, profile: Record<string, unknown> | undefined, fallback: string | null | undefined, e: Env): string | null {
  const str = (v: unknown) => (typeof v === "string" && v.includes("@") ? v.toLowerCase() : null);
  if (provider === "google") {
    if (profile?.email_verified !== true) return null;
    if (e.AUTH_GOOGLE_HOSTED_DOMAIN && profile.hd !== e.AUTH_GOOGLE_HOSTED_DOMAIN) return null;
    return str(profile.email);
  }
  if (provider === "keycloak" && profile && profile.email_verified === false) return null;
  return str(profile?.email) ?? str(fallback) ?? str(profile?.preferred_username) ?? str(profile?.upn);
}
