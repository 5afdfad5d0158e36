//! The AWS formats and languages, knowing nothing of the simulation: the events each source sends
//! (`events`), the records and wire forms of destinations and dead-letter queues (`destinations`), the
//! EventBridge pattern language (`pattern`), `cron()` schedules (`cron`), payload templates (`payload`) and the
//! delivery retry policies of SNS and EventBridge (`retry`).

pub mod cron;
pub mod destinations;
pub mod events;
pub mod ids;
pub mod pattern;
pub mod payload;
pub mod retry;
