export { checkConnection, checkDataFrame, isRedisConnection } from "./check-arguments.js";
export { checkOptions } from "./check-options.js";
export { describeValue, looksLikeDataFrame } from "./describe-value.js";
export { closestName, didYouMean } from "./did-you-mean.js";
export { optionNames } from "./option-names.js";
