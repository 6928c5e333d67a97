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
