import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "../../db/client";
import { audit, findUserByEmail, grantsOf, type UserGrant } from "../../db/queries/users";
import { verifyPassword } from "./password";
import { RateLimiter } from "./rate-limit";
import { env } from "../env";

declare module "next-auth" {
  interface Session {
    user: { id: number; email: string; name: string };
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: number;
  }
}

const credentials = z.object({ email: z.string().email(), password: z.string().min(1).max(200) });
// 10 tries per 15 minutes per address and per account slows guessing without locking out a typo.
const limiter = new RateLimiter(10, 15 * 60_000);

export type { UserGrant };

export function authOptions(): NextAuthOptions {
  return {
    secret: env().AUTH_SECRET,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/login" },
    providers: [
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
      jwt({ token, user }) {
        if (user) token.uid = Number(user.id);
        return token;
      },
      session({ session, token }) {
        session.user = { id: token.uid ?? 0, email: token.email ?? "", name: token.name ?? "" };
        return session;
      },
    },
  };
}

export async function loadGrants(userId: number): Promise<UserGrant[]> {
  const { db } = await getDb();
  return grantsOf(db, userId);
}
