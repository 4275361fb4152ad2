// A self-contained index.html for a report: a title, notes, tables and the SVG figures inlined (so
// the page works when opened from disk) with links to the SVG files.
export interface Figure {
  file: string;
  title: string;
  svg: string;
}
export interface Table {
  caption: string;
  head: string[];
  rows: string[][];
}
export interface Section {
  heading: string;
  notes?: string[];
  tables?: Table[];
  figures: Figure[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function tableHtml(t: Table): string {
  return [
    `<table><caption>${esc(t.caption)}</caption>`,
    `<thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`,
  ].join('\n');
}

export function reportHtml(title: string, intro: string[], sections: readonly Section[]): string {
  const body = sections
    .map((s) =>
      [
        `<section><h2>${esc(s.heading)}</h2>`,
        ...(s.notes ?? []).map((n) => `<p>${esc(n)}</p>`),
        ...(s.tables ?? []).map(tableHtml),
        '<div class="figs">',
        ...s.figures.map(
          (f) =>
            `<figure>${f.svg.replace(/^<\?xml[^>]*>\s*/, '')}<figcaption><a href="${esc(f.file)}">${esc(f.title)}</a></figcaption></figure>`,
        ),
        '</div></section>',
      ].join('\n'),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}.figs{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:.9em}table{border-collapse:collapse;margin:1em 0}caption{text-align:left;font-weight:600;padding:.3em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body><h1>${esc(title)}</h1>
${intro.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${body}
</body></html>
`;
}
