/** Row indexes per key, keys in order of first appearance, rows in frame order. */
export function groupRowsByKey(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let row = 0; row < keys.length; row++) {
    const key = keys[row]!;
    const rows = groups.get(key);
    if (rows === undefined) groups.set(key, [row]);
    else rows.push(row);
  }
  return groups;
}
