import { describe, expect, it } from "vitest";
import { oidcButtons } from "./oidc";
import type { Env } from "../env";

describe("OIDC providers from the environment", () => {
  it("offers none by default and each only when all its variables are set", () => {
    expect(oidcButtons({} as Env)).toEqual([]);
    expect(oidcButtons({ AUTH_KEYCLOAK_ID: "dash", AUTH_KEYCLOAK_SECRET: "s" } as Env)).toEqual([]);
    const all = oidcButtons({
      AUTH_KEYCLOAK_ID: "dash", AUTH_KEYCLOAK_SECRET: "s", AUTH_KEYCLOAK_ISSUER: "https://sso.example/realms/school",
      AUTH_AZURE_AD_ID: "a", AUTH_AZURE_AD_SECRET: "b", AUTH_AZURE_AD_TENANT_ID: "t",
      AUTH_GOOGLE_ID: "g", AUTH_GOOGLE_SECRET: "h", AUTH_GOOGLE_HOSTED_DOMAIN: "school.example",
    } as Env);
    expect(all.map((p) => p.id)).toEqual(["keycloak", "azure-ad", "google"]);
  });
});
