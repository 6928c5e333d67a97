import { parsePrometheusText } from './prometheus-parser';

describe('strict Prometheus text parser', () => {
  const ok = [
    '# HELP a_total Things, with \\\\ and \\n',
    '# TYPE a_total counter',
    'a_total{x="q\\"uote\\\\",y="2"} 3',
    'a_total 4 1700000000000',
    '# TYPE h histogram',
    'h_bucket{le="0.1"} 1',
    'h_bucket{le="+Inf"} 2',
    'h_sum 0.3',
    'h_count 2',
    'g NaN',
    '',
  ].join('\n');

  it('reads families, samples, labels and escapes', () => {
    const f = parsePrometheusText(ok);
    expect(f.get('a_total')).toEqual({
      name: 'a_total',
      type: 'counter',
      help: 'Things, with \\ and \n',
      samples: [
        { name: 'a_total', labels: { x: 'q"uote\\', y: '2' }, value: 3 },
        { name: 'a_total', labels: {}, value: 4 },
      ],
    });
    expect(f.get('h')?.samples).toHaveLength(4);
    expect(f.get('g')?.type).toBe('untyped');
  });

  it.each([
    ['no final line feed', ok.slice(0, -1)],
    ['a bad value', ok.replace('a_total 4', 'a_total four')],
    ['an unquoted label', ok.replace('y="2"', 'y=2')],
    ['a bad escape', ok.replace('q\\"uote', 'q\\tuote')],
    ['a series twice', ok.replace('a_total 4 1700000000000', 'a_total{y="2",x="q\\"uote\\\\"} 4')],
    ['TYPE after samples', `${ok}# TYPE g gauge\n`],
    ['a family split', `${ok}a_total{z="1"} 1\n`],
    ['a negative counter', ok.replace('a_total 4', 'a_total -4')],
    ['buckets not cumulative', ok.replace('h_bucket{le="0.1"} 1', 'h_bucket{le="0.1"} 3')],
    ['+Inf differing from count', ok.replace('h_count 2', 'h_count 5')],
    ['no +Inf bucket', ok.replace('h_bucket{le="+Inf"} 2\n', '')],
    ['a histogram sample without suffix', ok.replace('h_sum 0.3', 'h 0.3')],
    ['a stray space', ok.replace('a_total 4 ', 'a_total  4 ')],
    ['a bad metric name', ok.replace('g NaN', '1g NaN')],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
