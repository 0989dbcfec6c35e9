"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

export function LoginForm({ labels, error, next }: { labels: { email: string; password: string; submit: string }; error: string | null; next: string }) {
  const [pending, setPending] = useState(false);
  return (
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
  );
}
