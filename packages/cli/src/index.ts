export { CliError } from "./cli-error.js";
export { EXIT_CODE_HELP, ExitCode, type ExitCodeValue } from "./exit-codes.js";
export { type MainOptions, main } from "./main.js";
