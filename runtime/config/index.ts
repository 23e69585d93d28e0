export { SluiceConfigSchema } from './config-schema.ts';
export type { CheckpointStorageConfig, NetworkConfig, RestartStrategyConfig, SecurityConfig, SluiceConfig, SluiceConfigInput } from './config-schema.ts';
export { CONFIG_FILE_ENV, loadConfig, resolveConfig } from './load-config.ts';
export type { LoadConfigOptions } from './load-config.ts';
export { ConfigError } from './config-error.ts';
export { ENV_PREFIX, envName } from './env-overrides.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { formatSize, parseSize } from './size.ts';
