export { parseOpenedxTrackingLog, htmlToText, type OpenedxLogOptions, type OpenedxLogResult } from "./tracking-log";
export { courseKeyIn, blockKeyIn, objectKeyOf, blockKey } from "./keys";
