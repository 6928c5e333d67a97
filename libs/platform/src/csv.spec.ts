import { csvCell } from './csv';

describe('csvCell', () => {
  it('leaves plain values as they are and writes null as an empty field', () => {
    expect([csvCell('AF>IR>TR'), csvCell(224), csvCell(null), csvCell(undefined), csvCell(0)]).toEqual(['AF>IR>TR', '224', '', '', '0']);
  });
  it('quotes a field with a comma, a quote, a line break or a # and doubles its quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('#not a comment')).toBe('"#not a comment"');
  });
});

describe('csvCell for spreadsheets', () => {
  it('quotes a field holding the delimiter it is written with', () => {
    expect(csvCell('a;b', ';')).toBe('"a;b"');
    expect(csvCell('a,b', ';')).toBe('a,b');
  });
  it('shows, never runs, a text a spreadsheet would take for a formula', () => {
    for (const attack of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd']) {
      const cell = csvCell(attack);
      expect(cell.startsWith(`"'`)).toBe(true);
    }
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
  });
  it('writes negative numbers as numbers', () => {
    expect(csvCell(-3)).toBe('-3');
  });
});
