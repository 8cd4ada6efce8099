import { cacheHitGroup, cacheReadGroup, cacheWriteGroup } from "../cases/cache/index.js";
import { clusterReadGroup } from "../cases/cluster-read/index.js";
import { hashesReadGroup } from "../cases/hashes-read/index.js";
import { hashesReadExperimentsGroup } from "../cases/hashes-read-experiments/index.js";
import { hashesWriteGroup } from "../cases/hashes-write/index.js";
import { routerThroughputGroup } from "../cases/router-throughput/index.js";
import { searchGroup } from "../cases/search/index.js";
import type { BenchCase, CaseGroup } from "./bench-case.js";

/** Every case group the harness knows, in the order they run. Add a group here to add rows to the table. */
export const CASE_GROUPS: readonly CaseGroup[] = [
  hashesReadGroup,
  hashesReadExperimentsGroup,
  hashesWriteGroup,
  clusterReadGroup,
  routerThroughputGroup,
  searchGroup,
  cacheWriteGroup,
  cacheReadGroup,
  cacheHitGroup,
];

export function findGroup(name: string): CaseGroup {
  const group = CASE_GROUPS.find((candidate) => candidate.name === name);
  if (!group)
    throw new Error(
      `no benchmark group named "${name}"; known: ${CASE_GROUPS.map((g) => g.name).join(", ")}`,
    );
  return group;
}

export function findCase(groupName: string, caseName: string): BenchCase {
  const found = findGroup(groupName).cases.find((candidate) => candidate.name === caseName);
  if (!found) throw new Error(`no case "${caseName}" in benchmark group "${groupName}"`);
  return found;
}
