// nodejs-polars loads its native code from a per-platform package (nodejs-polars-linux-x64-gnu, ...-darwin-arm64,
// ...). From 0.25 those packages declare engines node ">=22", so on Node.js 20 npm and pnpm skip them silently
// and the first import fails with a bare "Cannot find module 'nodejs-polars-linux-x64-gnu'". Core's index imports
// this module first, so importing core fails instead with what happened and the fix.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** nodejs-polars is installed, but the native package for this platform is not. */
export class PolarsBindingMissingError extends Error {
  readonly code = "POLARS_BINDING_MISSING";

  constructor(
    readonly bindingPackage: string,
    polarsVersion: string | undefined,
    options?: ErrorOptions,
  ) {
    const pinned = polarsVersion ? `${bindingPackage}@${polarsVersion}` : bindingPackage;
    const why =
      Number(process.versions.node.split(".")[0]) < 22
        ? `npm and pnpm leave it out on Node.js ${process.versions.node} because it declares engines node ">=22"`
        : "optional dependencies were left out, or node_modules was installed for another platform";
    super(
      `nodejs-polars${polarsVersion ? ` ${polarsVersion}` : ""} is installed but its native binding ` +
        `${bindingPackage} is not: ${why}. Fix: use Node.js 22 or 24 and reinstall, or install it yourself — ` +
        `npm: \`npm install ${pinned}\`; pnpm: a readPackage hook in .pnpmfile.cjs that deletes the engines ` +
        `field of nodejs-polars-* packages (see the README of @polars-redis/core, "Node.js 20").`,
      options,
    );
    this.name = "PolarsBindingMissingError";
  }
}

function polarsVersion(): string | undefined {
  try {
    return (require("nodejs-polars/package.json") as { version?: string }).version;
  } catch {
    return undefined;
  }
}

try {
  require("nodejs-polars");
} catch (error) {
  const missing = /Cannot find module '(nodejs-polars-[a-z0-9-]+)'/.exec(
    String((error as Error | null)?.message),
  );
  if (!missing) throw error;
  throw new PolarsBindingMissingError(missing[1]!, polarsVersion(), { cause: error });
}
