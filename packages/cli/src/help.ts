import type { CommandSpec, OptionSpec } from "./command.js";
import { EXIT_CODE_HELP } from "./exit-codes.js";

/** Options every command that talks to Redis takes. */
export const CONNECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  url: {
    type: "string",
    value: "URL",
    help: "redis://[user:password@]host:port[/db] (rediss:// for TLS); default: env REDIS_URL. With --cluster, one or more seed nodes, comma-separated",
  },
  cluster: { type: "boolean", help: "the server is a Redis Cluster (the URL names any node)" },
  "connect-timeout": { type: "string", value: "MS", help: "give up connecting after MS milliseconds [5000]" },
  "command-timeout": {
    type: "string",
    value: "MS",
    help: "fail a command without a reply after MS milliseconds [30000]",
  },
};

export const JSON_OPTION: Readonly<Record<string, OptionSpec>> = {
  json: { type: "boolean", help: "print the result as one JSON document (for jq); messages stay on stderr" },
};

export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: "boolean", short: "h", help: "show this help" },
  quiet: {
    type: "boolean",
    short: "q",
    help: "no progress and no notes on stderr (errors are still printed)",
  },
  progress: { type: "boolean", help: "print progress on stderr even when it is not a terminal" },
  debug: { type: "boolean", help: "print the stack of an unexpected error" },
};

/** Every option a command accepts: its own, then connection, --json and the common ones. */
export function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return {
    ...spec.options,
    ...(spec.connects ? CONNECTION_OPTIONS : {}),
    ...(spec.json ? JSON_OPTION : {}),
    ...COMMON_OPTIONS,
  };
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: polars-redis ${spec.name} ${spec.synopsis}`, "", spec.summary];
  if (spec.description) lines.push("", spec.description);
  lines.push("", "Options:", ...formatOptions(spec.options));
  if (spec.connects) lines.push("", "Connection:", ...formatOptions(CONNECTION_OPTIONS));
  lines.push("", "Output:", ...formatOptions({ ...(spec.json ? JSON_OPTION : {}), ...COMMON_OPTIONS }));
  lines.push("", "Examples:", ...spec.examples.map((example) => `  ${example}`));
  lines.push("", "Exit codes: 0 ok, 2 usage, 3 connection, 4 not found, 5 partial failure, 6 Redis error,");
  lines.push("  130 interrupted (see polars-redis --help)");
  return `${lines.join("\n")}\n`;
}

function formatOptions(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : "    "}--${name}${option.value ? ` ${option.value}` : ""}`;
    return [flag, option.help + (option.multiple ? " (repeatable)" : "")] as const;
  });
  if (rows.length === 0) return ["  (none)"];
  const width = Math.min(34, Math.max(...rows.map(([flag]) => flag.length)) + 2);
  return rows.map(([flag, help]) =>
    flag.length + 2 > width ? `  ${flag}\n  ${" ".repeat(width)}${help}` : `  ${flag.padEnd(width)}${help}`,
  );
}

/** `polars-redis --help`, or the help of a command group (`polars-redis streams --help`). */
export function groupHelp(commands: readonly CommandSpec[], prefix: string): string {
  const shown = commands.filter((command) => prefix === "" || command.name.startsWith(`${prefix} `));
  const width = Math.max(...shown.map((command) => command.name.length)) + 2;
  const lines = [
    prefix === ""
      ? "Usage: polars-redis <command> [arguments] [options]"
      : `Usage: polars-redis ${prefix} <subcommand> [arguments] [options]`,
    "",
    prefix === ""
      ? "Look at Redis data, streams and pipelines without writing code."
      : `Subcommands of ${prefix}:`,
    "",
    "Commands:",
    ...shown.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    "Connection: --url URL or env REDIS_URL; --cluster for a Redis Cluster.",
    "Every command has --help with examples; every inspection command has --json.",
  ];
  if (prefix === "") lines.push("", EXIT_CODE_HELP);
  return `${lines.join("\n")}\n`;
}
