//! `metrics`: what a run measures. The warm-up (seconds, shorter than the opening), the
//! sample interval (seconds; the samples over the day and the drain after closing must fit
//! in [`MAX_SERIES_VALUES`]) and the wait counted as long (seconds).

use super::{Checks, Known, MAX_HOURS, MAX_SECONDS};
use crate::scenario::{QueueDiscipline, Scenario};

/// Time-series values a run may record (samples × columns, including the drain after closing).
pub const MAX_SERIES_VALUES: f64 = 20_000_000.0;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let duration = k.duration;
    let m = &s.metrics;
    if c.range("metrics.warmup", m.warmup, 0.0, MAX_HOURS * 3600.0, "s")
        && duration > 0.0
        && m.warmup >= duration
    {
        c.err(
            "metrics.warmup",
            "the warm-up covers the whole run: nothing would be measured",
        );
    }
    c.range(
        "metrics.sample_interval",
        m.sample_interval,
        1.0,
        86_400.0,
        "s",
    );
    if duration > 0.0
        && m.sample_interval.is_finite()
        && duration / m.sample_interval.max(1.0) > 1_000_000.0
    {
        c.err(
            "metrics.sample_interval",
            "more than 1,000,000 samples; use a longer interval",
        );
    } else if let Some(plan) = &k.plan
        && m.sample_interval >= 1.0
    {
        // A sample has a dozen totals and one length per queue; samples go on while
        // customers drain after closing.
        let queues: usize = s
            .checkouts
            .groups
            .iter()
            .map(|(id, g)| {
                let n = plan.lanes.iter().filter(|l| &l.group == id).count();
                match g.queue {
                    QueueDiscipline::Shared => n.min(1),
                    QueueDiscipline::PerLane => n,
                }
            })
            .sum();
        let samples = (duration + crate::MAX_DRAIN) / m.sample_interval;
        let values = samples * (13 + queues) as f64;
        if values > MAX_SERIES_VALUES {
            c.err(
                "metrics.sample_interval",
                format!(
                    "about {samples:.0} samples of {queues} queues ({values:.0} values, at most {MAX_SERIES_VALUES}); use a longer interval"
                ),
            );
        }
    }
    c.positive("metrics.long_wait", m.long_wait, MAX_SECONDS, "s");
}
