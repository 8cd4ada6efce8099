export { type JsonScanOptions, readJson, scanJson } from "./scan-json.js";
