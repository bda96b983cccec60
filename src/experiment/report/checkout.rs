//! Checkout sections: customers waiting over the day (per queue for one run, all queues per
//! variant otherwise), the distribution of waiting times (minutes, 30 s classes) and lane
//! utilisation (% of each lane's open time it was busy).

use plotters::prelude::*;

use super::charts::{H, W, color, line_chart, lines, mean_series, svg};
use super::{Day, OVERLAY_CAPTION, figure, per_variant};
use crate::experiment::Variant;
use crate::sim::metrics::WaitClasses;

/// Queue lengths over the day.
pub(super) fn queues_over_the_day(day: &Day) -> String {
    match *day {
        Day::Overlay(variants) => figure(
            &line_chart(
                "Customers waiting at the checkout (all queues)",
                "customers",
                &per_variant(variants, |s| s.queueing as f64),
            ),
            OVERLAY_CAPTION,
        ),
        Day::One(v) => {
            let per_queue: Vec<(String, Vec<(f64, f64)>)> = v
                .queue_names
                .iter()
                .enumerate()
                .map(|(q, name)| {
                    (
                        name.clone(),
                        mean_series(v, |s| f64::from(s.queues.get(q).copied().unwrap_or(0))),
                    )
                })
                .collect();
            figure(
                &line_chart("Queue length per queue", "customers waiting", &per_queue),
                "",
            )
        }
    }
}

/// How long paying customers waited in the queue.
pub(super) fn waits(variants: &[Variant]) -> String {
    figure(
        &wait_histogram(variants),
        "share of paying customers per 30 s class",
    )
}

/// How busy each lane was while open.
pub(super) fn utilisation(variants: &[Variant]) -> String {
    figure(
        &utilisation_chart(variants),
        "busy time / open time, mean over replications",
    )
}

fn wait_histogram(variants: &[Variant]) -> String {
    const BIN: f64 = WaitClasses::WIDTH;
    let max_wait = variants
        .iter()
        .flat_map(|v| v.reps.iter().map(|r| r.waits.max))
        .fold(0.0f64, f64::max);
    let bins = ((max_wait / BIN).ceil() as usize).clamp(1, WaitClasses::CLASSES);
    let series: Vec<(String, Vec<(f64, f64)>)> = variants
        .iter()
        .map(|v| {
            let mut all = WaitClasses::default();
            v.reps.iter().for_each(|r| all.merge(&r.waits));
            // The classes beyond the longest wait shown go into the last bar.
            let mut counts: Vec<f64> = all.counts[..bins].iter().map(|&c| c as f64).collect();
            counts[bins - 1] += all.counts[bins..].iter().sum::<u64>() as f64;
            let total: f64 = counts.iter().sum();
            let pts = counts
                .iter()
                .enumerate()
                .flat_map(|(i, c)| {
                    let share = if total > 0.0 { 100.0 * c / total } else { 0.0 };
                    [
                        (i as f64 * BIN / 60.0, share),
                        ((i + 1) as f64 * BIN / 60.0, share),
                    ]
                })
                .collect();
            (v.label.clone(), pts)
        })
        .collect();
    lines(
        "Waiting time in queue",
        "wait (min)",
        "% of customers",
        false,
        &series,
    )
}

fn utilisation_chart(variants: &[Variant]) -> String {
    // Lanes by id across variants (a variant may have other lanes), in order of appearance.
    let mut lanes: Vec<String> = Vec::new();
    for v in variants {
        for l in v.reps.first().map(|r| &r.summary.lanes[..]).unwrap_or(&[]) {
            if !lanes.contains(&l.id) {
                lanes.push(l.id.clone());
            }
        }
    }
    let n = lanes.len().max(1);
    let k = variants.len().max(1);
    svg(W, H, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Lane utilisation", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..n as f64, 0.0..100.0)?;
        let lanes_ref = &lanes;
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.min(30))
            .x_label_formatter(&|x| {
                lanes_ref
                    .get(x.floor() as usize)
                    .cloned()
                    .unwrap_or_default()
            })
            .y_desc("% of open time busy")
            .draw();
        for (vi, v) in variants.iter().enumerate() {
            let c = color(vi);
            let bars: Vec<Rectangle<(f64, f64)>> = (0..lanes.len())
                .map(|li| {
                    let vals: Vec<f64> = v
                        .reps
                        .iter()
                        .filter_map(|r| r.summary.lanes.iter().find(|l| l.id == lanes[li]))
                        .map(|l| 100.0 * l.utilisation)
                        .collect();
                    let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
                    let w = 0.8 / k as f64;
                    let x = li as f64 + 0.1 + w * vi as f64;
                    Rectangle::new([(x, 0.0), (x + w, mean)], c.filled())
                })
                .collect();
            if let Ok(s) = chart.draw_series(bars) {
                s.label(v.label.as_str()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled())
                });
            }
        }
        if k > 1 {
            let _ = chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw();
        }
        Ok(())
    })
}
