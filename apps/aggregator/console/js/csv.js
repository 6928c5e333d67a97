// Each chart registers the table behind it; its CSV button downloads exactly that table, with the
// figures as the answer published them.
const tables = new Map();

export function setTable(name, header, rows) {
  tables.set(name, { header, rows });
}

export function tableOf(name) {
  return tables.get(name);
}

const cell = (v) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(name) {
  const t = tables.get(name);
  if (!t) return '';
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function download(name) {
  const blob = new Blob([toCsv(name)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `caravanserai-${name}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
