"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

export function LoginForm({
  labels,
  error,
  next,
  providers = [],
}: {
  labels: { email: string; password: string; submit: string; signInWith?: string; or?: string };
  error: string | null;
  next: string;
  /** OIDC directories configured by env (lib/auth/oidc.ts). */
  providers?: Array<{ id: string; name: string }>;
}) {
  const [pending, setPending] = useState(false);
  return (
    <>
    {providers.length > 0 && (
      <div className="flex flex-col gap-2" data-testid="oidc-providers">
        {providers.map((p) => (
          <button
            key={p.id}
            type="button"
            disabled={pending}
            onClick={() => {
              setPending(true);
              void signIn(p.id, { callbackUrl: next });
            }}
            className="rounded border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
          >
            {labels.signInWith} {p.name}
          </button>
        ))}
        <p className="text-center text-xs text-slate-500">{labels.or}</p>
      </div>
    )}
    <form
      className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
      onSubmit={async (e) => {
        e.preventDefault();
        setPending(true);
        const form = new FormData(e.currentTarget);
        await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), callbackUrl: next });
        setPending(false);
      }}
    >
      {error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <label className="flex flex-col gap-1 text-sm">
        {labels.email}
        <input name="email" type="email" autoComplete="username" required className="rounded border border-slate-300 px-3 py-2" />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        {labels.password}
        <input name="password" type="password" autoComplete="current-password" required className="rounded border border-slate-300 px-3 py-2" />
      </label>
      <button type="submit" disabled={pending} className="rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {labels.submit}
      </button>
    </form>
    </>
  );
}
