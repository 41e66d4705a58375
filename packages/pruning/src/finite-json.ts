/**
 * `JSON.stringify` that refuses NaN and ±∞ instead of writing them as `null` (what JSON does silently, so
 * a diverged number would read back as a missing one). Every JSON file the project writes goes through it.
 *
 * @throws RangeError naming the path of the first non-finite number (`metrics[3].testLoss`).
 */
export const finiteJson = (value: unknown, indent?: number): string =>
  JSON.stringify(
    value,
    function (this: unknown, key: string, v: unknown) {
      if (typeof v === 'number' && !Number.isFinite(v))
        throw new RangeError(
          `finiteJson: "${key}" is ${v}; JSON cannot hold it (it would be written as null)`,
        );
      return v;
    },
    indent,
  );
