import { describeNetworkMatrix } from "../security/network-matrix-suite.ts";
import { testImages } from "../../support/test-images.ts";

// The same matrix with an image as every phase's root: the network namespace and the proxy must not
// depend on the host's system being the sandbox's. The image has no python3: no abstract-socket probe.
describeNetworkMatrix("network attack matrix on an image environment: host targets × phases", {
  image: async () => `oci:${(await testImages()).layout}:lua`,
});
