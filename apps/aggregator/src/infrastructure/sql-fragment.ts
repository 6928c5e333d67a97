/**
 * The SQL text for `key` from a constant map. Request values never reach SQL text: a dimension or
 * granularity picks one of these constants, and a key outside the map (which validation should
 * already have refused) is an error rather than text in a statement.
 */
export function sqlFragment<K extends string>(map: Record<K, string>, key: string, what: string): string {
  if (!Object.prototype.hasOwnProperty.call(map, key)) throw new Error(`no SQL for ${what} ${JSON.stringify(key)}`);
  return map[key as K];
}
