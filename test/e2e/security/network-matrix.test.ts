import { describeNetworkMatrix } from "./network-matrix-suite.ts";

describeNetworkMatrix("network attack matrix: host targets × phases");
