"use client";

import { useRouter } from "next/navigation";

export function LanguageSwitch({ locale, label }: { locale: "ru" | "en"; label: string }) {
  const router = useRouter();
  return (
    <label className="flex items-center gap-1 text-sm">
      <span className="sr-only">{label}</span>
      <select
        aria-label={label}
        value={locale}
        className="rounded border border-slate-300 bg-white px-2 py-1"
        onChange={(e) => {
          document.cookie = `lang=${e.target.value}; path=/; max-age=31536000; samesite=lax`;
          router.refresh();
        }}
      >
        <option value="ru">RU</option>
        <option value="en">EN</option>
      </select>
    </label>
  );
}
