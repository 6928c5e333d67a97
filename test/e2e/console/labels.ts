import { CATEGORIES, Language, LABELS, ListName } from '@caravanserai/contracts';
import type { Page } from 'playwright-core';

/** The word the catalogue gives a code, as the console should show it. */
export const word = (list: ListName, code: string, language: Language): string => LABELS[list][code]?.[language] ?? code;
export const routeWords = (route: string, language: Language): string =>
  route
    .split('>')
    .map((c) => word('countries', c, language))
    .join(' → ');

type Option = { series: { id: string; name: string }[]; xAxis?: { data: string[] }[] };
/** Page-side expressions are strings: the e2e project compiles without the DOM's types. */
const read = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
const optionOf = (page: Page, id: string): Promise<Option> =>
  page.evaluate(`JSON.parse(JSON.stringify(echarts.getInstanceByDom(document.getElementById('${id}')).getOption()))`);

/**
 * Words, not codes, in the console's language (read from the catalogue, not spelt here): the
 * flows table, the time chart's legend, the category and state filters and the referral summary
 * name each code by its label, and no category code shows on the page.
 */
export async function checkLabels(page: Page, language: Language, pathways: string[]): Promise<void> {
  const flows = await read<[string, string][]>(
    page,
    `[...document.querySelectorAll('#flows tbody tr')].map((tr) => [tr.dataset.category, tr.cells[0].textContent])`,
  );
  expect(flows.length).toBeGreaterThanOrEqual(3);
  expect(flows.map(([, text]) => text)).toEqual(flows.map(([code]) => word('categories', code, language)));

  const timeline = await optionOf(page, 'timeline');
  expect(timeline.series.length).toBeGreaterThanOrEqual(3);
  expect(timeline.series.map((s) => s.name)).toEqual(timeline.series.map((s) => word('categories', s.id, language)));

  const options = await read<[string, string, string][]>(
    page,
    `[...document.querySelectorAll('#filters option[data-list]')].map((o) => [o.dataset.list, o.value, o.textContent])`,
  );
  expect(options.filter(([list]) => list === 'categories').map(([, code]) => code)).toEqual([...CATEGORIES]);
  for (const [list, code, text] of options) expect([code, text]).toEqual([code, word(list as ListName, code, language)]);

  expect((await optionOf(page, 'funnel')).xAxis![0].data).toEqual(pathways.map((p) => word('referralPathways', p, language)));

  // No raw code shows anywhere a person reads: the page's text, the legend and the axis.
  const text = await read<string>(page, 'document.body.innerText');
  const seen = [text, ...timeline.series.map((s) => s.name), ...options.map(([, , t]) => t)].join('\n');
  for (const code of CATEGORIES) {
    if (language === 'ru' || code.includes('_')) expect({ code, shown: new RegExp(`\\b${code}\\b`).test(seen) }).toEqual({ code, shown: false });
  }
  if (language === 'ru') expect(seen).toContain(word('categories', 'asylum_seeker', 'ru'));
}
