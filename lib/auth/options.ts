import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "../../db/client";
import { audit, findUserByEmail, grantsOf, type UserGrant } from "../../db/queries/users";
import { verifyPassword } from "./password";
import { RateLimiter } from "./rate-limit";
import { directoryEmail, oidcProviders } from "./oidc";
import { sessionState } from "./session-policy";
import { env, type Env } from "../env";

declare module "next-auth" {
  interface Session {
    user: { id: number; email: string; name: string };
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: number;
    /** Sign-in time and last request (epoch seconds), for idle and absolute expiry (session-policy.ts). */
    authTime?: number;
    seen?: number;
  }
}

const credentials = z.object({ email: z.string().email(), password: z.string().min(1).max(200) });
// 10 tries per 15 minutes per address and per account slows guessing without locking out a typo.
const limiter = new RateLimiter(10, 15 * 60_000);

export type { UserGrant };

export function sessionLimits(e: Env = env()): { idleSeconds: number; maxSeconds: number } {
  return { idleSeconds: e.SESSION_IDLE_MINUTES * 60, maxSeconds: e.SESSION_MAX_HOURS * 3600 };
}

export function authOptions(): NextAuthOptions {
  const e = env();
  const limits = sessionLimits(e);
  return {
    secret: e.AUTH_SECRET,
    // The cookie lives as long as the absolute limit; the idle limit is enforced from the token's clocks.
    session: { strategy: "jwt", maxAge: limits.maxSeconds },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      ...oidcProviders(e),
      CredentialsProvider({
        name: "email",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, req) {
          const parsed = credentials.safeParse(raw);
          if (!parsed.success) return null;
          const email = parsed.data.email.toLowerCase();
          const fwd = req?.headers?.["x-forwarded-for"];
          const ip = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim() ?? "local";
          const now = Date.now();
          if (!limiter.take(`e:${email}`, now) || !limiter.take(`i:${ip}`, now)) throw new Error("RateLimited");
          const { db } = await getDb();
          const user = await findUserByEmail(db, email);
          const ok = !!user && !user.disabled && !!user.passwordHash && (await verifyPassword(user.passwordHash, parsed.data.password));
          await audit(db, { userId: user?.id ?? null, action: ok ? "signin.ok" : "signin.fail", target: email, ip });
          if (!ok || !user) return null;
          return { id: String(user.id), email: user.email, name: user.name };
        },
      }),
    ],
    callbacks: {
      /** OIDC: the directory's e-mail must belong to an existing, enabled user; nobody is created here. */
      async signIn({ user, account, profile }) {
        if (!account || account.provider === "credentials") return true;
        const email = directoryEmail(account.provider, profile as Record<string, unknown> | undefined, user.email, e);
        const { db } = await getDb();
        const found = email ? await findUserByEmail(db, email) : null;
        const ok = !!found && !found.disabled;
        await audit(db, { userId: found?.id ?? null, action: ok ? "signin.ok" : "signin.fail", target: email ?? "(no verified e-mail)", details: { provider: account.provider } });
        return ok ? true : "/login?error=NoAccount";
      },
      async jwt({ token, user, account, profile }) {
        if (user) {
          const now = Math.floor(Date.now() / 1000);
          token.authTime = now;
          token.seen = now;
          if (account && account.provider !== "credentials") {
            // The OIDC subject is the directory's; the session carries our user id, found by e-mail.
            const email = directoryEmail(account.provider, profile as Record<string, unknown> | undefined, user.email, e);
            const { db } = await getDb();
            const found = email ? await findUserByEmail(db, email) : null;
            token.uid = found?.id;
            token.email = found?.email ?? null;
            token.name = found?.name ?? null;
          } else token.uid = Number(user.id);
        }
        return token;
      },
      session({ session, token }) {
        // Enforced here as well as in the proxy, so a request that skipped the proxy still meets the limits.
        const state = sessionState(token, Math.floor(Date.now() / 1000), limits);
        session.user = { id: state === "valid" ? (token.uid ?? 0) : 0, email: token.email ?? "", name: token.name ?? "" };
        return session;
      },
    },
  };
}

export async function loadGrants(userId: number): Promise<UserGrant[]> {
  const { db } = await getDb();
  return grantsOf(db, userId);
}
