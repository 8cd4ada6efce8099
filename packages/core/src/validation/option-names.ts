/**
 * The option names of an options interface, as a run-time list that the compiler keeps complete: a name the
 * interface lacks does not compile, and neither does a list that misses one of the interface's names (the error
 * names the missing ones). `checkOptions` refuses every key outside such a list, so a new option added to the
 * interface but not to the list would be refused at run time: this makes that a compile error instead.
 *
 * ```ts
 * const NAMES = optionNames<SetTtlOptions>()(["batchSize", "signal", "keyColumn", "unit", "condition"]);
 * ```
 */
export function optionNames<Options>() {
  return <const Names extends readonly (keyof Options & string)[]>(
    names: Names &
      ([Exclude<keyof Options & string, Names[number]>] extends [never]
        ? unknown
        : { missingOptionNames: Exclude<keyof Options & string, Names[number]> }),
  ): readonly string[] => names;
}
