/**
 * Print rules for the executive report, only while this page is shown (the layout is shared, so they
 * cannot live in globals.css without touching every page): no header or controls, no scroll boxes
 * cutting tables, no card split across pages, A4 margins.
 */
const CSS = `
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff !important; }
  header, .no-print, form, button { display: none !important; }
  main { max-width: none !important; padding: 0 !important; }
  section { break-inside: avoid; box-shadow: none !important; }
  [data-print-expand] { max-height: none !important; overflow: visible !important; }
  a { color: inherit !important; text-decoration: none !important; }
  [data-testid="retention-chart"] { height: 16rem !important; }
}`;

export function PrintStyles() {
  return <style data-testid="print-styles">{CSS}</style>;
}
