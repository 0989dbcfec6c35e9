export function CsvLink({ href, label }: { href: string; label: string }) {
  return (
    <a href={href} download className="no-print rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">
      {label}
    </a>
  );
}
