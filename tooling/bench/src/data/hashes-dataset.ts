import type { BenchDataset } from "../registry/bench-case.js";
import { loadHashes } from "./load-hashes.js";

/** N hashes of 10 mixed fields (see hash-dataset.ts), shared by every group that reads hashes. */
export const HASHES_DATASET: BenchDataset = {
  id: "hashes-10-fields",
  load: (server, size) => loadHashes(server, size),
};
