export { parseOulad, type OuladFiles, type OuladOptions, type OuladResult, type OuladCohort, type OuladAssessment } from "./parse";
export { defaultOuladStartDate } from "./dates";
