import { faultMatrix } from "./matrix.js";

// The fault matrix on one server (test/matrix.ts says what every cell checks).
faultMatrix("server");
