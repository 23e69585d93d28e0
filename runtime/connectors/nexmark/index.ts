/** The Nexmark connector: event model, generator and source (README.md beside this file). */
export { AUCTION, BID, PERSON, eventTime, type Auction, type Bid, type EventType, type NexmarkEvent, type Person } from './model.ts';
export { DEFAULT_NEXMARK_CONFIG, NexmarkGenerator, type NexmarkConfig } from './generator.ts';
export { NexmarkSource, type NexmarkSourceOptions } from './nexmark-source.ts';
