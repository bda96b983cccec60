//! Stock sections: products whose shelf is empty and the sales lost so far (items), over the
//! day. One run shows both in one chart, lost sales scaled down by 100 to share the axis.

use super::charts::{line_chart, mean_series};
use super::{Day, OVERLAY_CAPTION, figure, per_variant};

/// Empty shelves and lost sales over the day.
pub(super) fn over_the_day(day: &Day) -> String {
    match *day {
        Day::Overlay(variants) => {
            let mut html = figure(
                &line_chart(
                    "Products with an empty shelf",
                    "products",
                    &per_variant(variants, |s| s.products_empty as f64),
                ),
                OVERLAY_CAPTION,
            );
            html.push_str(&figure(
                &line_chart(
                    "Lost sales so far",
                    "items",
                    &per_variant(variants, |s| s.items_lost as f64),
                ),
                OVERLAY_CAPTION,
            ));
            html
        }
        Day::One(v) => {
            let stock = vec![
                (
                    "products with an empty shelf".to_string(),
                    mean_series(v, |s| s.products_empty as f64),
                ),
                (
                    "lost sales so far (÷100 items)".to_string(),
                    mean_series(v, |s| s.items_lost as f64 / 100.0),
                ),
            ];
            figure(&line_chart("Stock", "", &stock), "")
        }
    }
}
