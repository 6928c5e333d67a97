/**
 * The SQL text for `key` from a constant map. Request values never reach SQL text: a dimension or
 * granularity picks one of these constants, and a key outside the map (which validation should
 * already have refused) is an error rather than text in a statement. A map may also hold what
 * builds the text from constants (a dimension's columns), under the same rule.
 */
export function sqlFragment<K extends string, V = string>(map: Record<K, V>, key: string, what: string): V {
  if (!Object.prototype.hasOwnProperty.call(map, key)) throw new Error(`no SQL for ${what} ${JSON.stringify(key)}`);
  return map[key as K];
}
