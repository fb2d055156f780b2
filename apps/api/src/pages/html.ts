// HTML building blocks for the server-rendered pages. Every creator-controlled string goes
// through `escapeHtml` (text and attribute values alike; attributes are always double-quoted).

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside an element or a double-quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const rupees = new Intl.NumberFormat('en-IN', {
  style: 'currency',
  currency: 'INR',
  minimumFractionDigits: 0,
  maximumFractionDigits: 2,
});

/** A price in paise as Indian rupees, grouped the Indian way: 150000000 → "₹15,00,000". */
export function formatInr(paise: number): string {
  return rupees.format(paise / 100);
}

/** What every page's <head> carries. */
export interface PageShell {
  title: string;
  description?: string;
  css: string;
  /** Module script URL, loaded from <head> (deferred by nature: never blocks rendering)… */
  script?: string;
  /** … or an inline loader placed at the end of <body> (allowed by its CSP hash). */
  boot?: string;
  /** Extra <head> markup (already escaped), e.g. the LCP image preload. */
  head?: string;
  /** `data-*` attributes of <body> (values escaped here). */
  data?: Record<string, string>;
}

/** A complete HTML document around `body` (already escaped markup). */
export function page(shell: PageShell, body: string): string {
  const data = Object.entries(shell.data ?? {})
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');
  const description =
    shell.description === undefined
      ? ''
      : `<meta name="description" content="${escapeHtml(shell.description)}">`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(shell.title)}</title>${description}` +
    // No favicon request (the browser would ask for /favicon.ico otherwise).
    '<link rel="icon" href="data:,">' +
    `<style>${shell.css}</style>${shell.head ?? ''}` +
    (shell.script === undefined
      ? ''
      : `<script type="module" src="${escapeHtml(shell.script)}"></script>`) +
    `</head><body${data}>${body}` +
    (shell.boot === undefined ? '' : `<script>${shell.boot}</script>`) +
    '</body></html>'
  );
}
