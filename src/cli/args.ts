/**
 * Shared command-line parsing (`node:util` parseArgs) with clear errors.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A usage error: printed with the command's help, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` with `options`, turning parse failures into `UsageError`s.
 *
 * @returns The values and positionals.
 */
export function parse<O extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: O,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
