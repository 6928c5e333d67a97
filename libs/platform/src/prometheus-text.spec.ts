import { renderPrometheus } from './prometheus-text';

describe('renderPrometheus', () => {
  it('writes HELP, TYPE and one line per sample, escaping label values and skipping unknown values', () => {
    const text = renderPrometheus([
      { name: 'caravanserai_consumer_lag', help: 'Messages not yet projected', type: 'gauge', samples: [{ labels: { topic: 'a"b', partition: 0 }, value: 3 }, { labels: { topic: 'x', partition: 1 }, value: null }] },
      { name: 'caravanserai_up', help: 'line\nbreak', type: 'gauge', samples: [{ value: 1 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP caravanserai_consumer_lag Messages not yet projected',
        '# TYPE caravanserai_consumer_lag gauge',
        'caravanserai_consumer_lag{topic="a\\"b",partition="0"} 3',
        '# HELP caravanserai_up line\\nbreak',
        '# TYPE caravanserai_up gauge',
        'caravanserai_up 1',
        '',
      ].join('\n'),
    );
  });
});
