// nodejs-polars >=0.25 platform binaries declare engines.node ">=22" although they load fine on Node 20;
// pnpm silently skips optional deps whose engines do not match, so strip that field for them only.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (/^nodejs-polars-/.test(pkg.name) && pkg.engines) delete pkg.engines;
      return pkg;
    },
  },
};
