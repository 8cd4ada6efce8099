// The hook the README gives pnpm users on Node.js 20: nodejs-polars' platform packages (nodejs-polars-linux-
// x64-gnu, ...) declare engines node ">=22" although they load fine on Node 20, and pnpm silently skips optional
// dependencies whose engines do not match. Strip that field for them only. Save as .pnpmfile.cjs next to
// package.json (pnpm-workspace.yaml in a workspace) and run pnpm install again.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (/^nodejs-polars-/.test(pkg.name) && pkg.engines) delete pkg.engines;
      return pkg;
    },
  },
};
