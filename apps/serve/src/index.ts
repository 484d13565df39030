export { startCadre, type CadreOptions, type RunningCadre } from "./start-cadre.ts";
export { InProcessRunnerTransport } from "./in-process-transport.ts";
