import { faultMatrix } from "./matrix.js";

// The fault matrix on a 6-node cluster (test/matrix.ts says what every cell checks).
faultMatrix("cluster");
