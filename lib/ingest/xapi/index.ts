export {
  parseXapiStatements, parseXapiFile, VOIDED_VERB,
  type ValidStatement, type XapiStatement, type XapiStatementError, type XapiParseOptions, type XapiParseResult,
} from "./parse";
export { mapXapiToLmsEvents, verbShortName, xapiIdentity, type XapiMapOptions, type XapiMapResult, type XapiVoid } from "./map";
export { statementsEqual } from "./equal";
