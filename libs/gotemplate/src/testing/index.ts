// Test and benchmark support for code that checks this engine against Go:
// the Go oracle and the loading of real chart directories.
export { buildOracle, runOracle, type OracleRequest, type OracleResponse } from "./Oracle.ts"
export { ciValuesFiles, coalesceValues, loadChart, type LoadedChart } from "../differential/chart.ts"
export { decodeData } from "../differential/run.ts"
