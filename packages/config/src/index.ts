export { loadCadreConfig, configFile, type CadreConfig } from "./cadre-config.ts";
export { ConfigFileError } from "./config-file-error.ts";
export {
  EMPTY_MODEL_CONFIG,
  ModelConfigSchema,
  ModelSettingsSchema,
  ProviderConfigSchema,
  parseModelConfig,
  type ModelConfig,
  type ModelSettings,
  type ProviderConfig,
} from "./model-config.ts";
export {
  checkModelConfigured,
  contextWindowFor,
  DEFAULT_ANTHROPIC_MODEL,
  DEFAULT_OPENAI_MODEL,
  ModelConfigError,
  priceFor,
  providerEndpoint,
  resolveModelSettings,
  splitModel,
  type Env,
  type ModelCheck,
} from "./resolve-model.ts";
export { DEFAULT_PRICES, defaultPrice } from "./default-prices.ts";
export { configuredModels, discoverModels, offeredModels } from "./model-catalog.ts";
