//! Service-time models of checkout lanes, seconds per customer.
//!
//! The default is the power regression fitted to real point-of-sale data of three Polish
//! supermarkets (Antczak, Weron & Zabawa, "Data-driven simulation modeling of the checkout
//! process in supermarkets", IEEE Access 8, 2020; figures in `shared/reference/README.md`):
//!
//! | lane | scanning time | payment ("break") time |
//! |---|---|---|
//! | staffed | exp(2.121935 + 0.698402 ln n + N(0, 0.4379083)) | Gamma(3.074209, scale 4.830613) |
//! | self-checkout | exp(3.122328 + 0.672461 ln n + N(0, 0.4907405)) | exp(3.51669 + 0.22300 ln n + N(0, 0.4820532)) |
//!
//! where n is the number of items. A scan & go payment point takes the staffed till's payment
//! part (the customer has scanned and bagged while shopping), an audit the staffed scanning
//! time of the items rescanned, an exit gate
//! [`GATE_PASSAGE`] seconds. Each customer carries two uniform random numbers drawn on
//! arrival ([`ServiceDraws`]); a service time is a deterministic function of the model, the
//! basket and these numbers (inverse-CDF sampling). A customer who is quick at a staffed till
//! is therefore also quick at a self-checkout, which keeps comparisons of lane types fair
//! (common random numbers).

use std::sync::OnceLock;

use rand::Rng;

use crate::sim::random::open_unit;
use statrs::distribution::{ContinuousCDF, Gamma, Normal};

use crate::scenario::{LaneKind, ServiceModel};

/// Per-customer uniforms in (0, 1) that fix its service time at any lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceDraws {
    pub scan: f64,
    pub pay: f64,
}

impl ServiceDraws {
    pub fn draw(rng: &mut impl Rng) -> Self {
        ServiceDraws {
            scan: open_unit(rng),
            pay: open_unit(rng),
        }
    }
}

struct LogLinear {
    intercept: f64,
    slope: f64,
    sigma: f64,
}

impl LogLinear {
    fn median(&self, n: f64) -> f64 {
        (self.intercept + self.slope * n.ln()).exp()
    }
    fn at(&self, n: f64, z: f64) -> f64 {
        self.median(n) * (self.sigma * z).exp()
    }
    fn mean(&self, n: f64) -> f64 {
        self.median(n) * (self.sigma * self.sigma / 2.0).exp()
    }
}

const STAFFED_SCAN: LogLinear = LogLinear {
    intercept: 2.121935,
    slope: 0.698402,
    sigma: 0.4379083,
};
const STAFFED_PAY_SHAPE: f64 = 3.074209;
const STAFFED_PAY_SCALE: f64 = 4.830613;
const SELF_SCAN: LogLinear = LogLinear {
    intercept: 3.122328,
    slope: 0.672461,
    sigma: 0.4907405,
};
const SELF_PAY: LogLinear = LogLinear {
    intercept: 3.51669,
    slope: 0.22300,
    sigma: 0.4820532,
};

fn std_normal_quantile(u: f64) -> f64 {
    Normal::standard().inverse_cdf(u)
}

fn staffed_payment(u: f64) -> f64 {
    static PAY: OnceLock<GammaQuantile> = OnceLock::new();
    PAY.get_or_init(|| GammaQuantile::new(STAFFED_PAY_SHAPE, STAFFED_PAY_SCALE))
        .at(u)
}

/// Quantiles of a Gamma distribution by Newton's method from a tabulated start. A general
/// inverse CDF (statrs brackets, then iterates about ten times) was a tenth of a store day's
/// computing time; from the table two or three steps reach the root to a few units in the
/// last place.
struct GammaQuantile {
    dist: Gamma,
    /// CDF at x = 0, h, 2h, … up to the 1 - 10⁻⁹ quantile.
    cdf: Vec<f64>,
    h: f64,
    /// shape - 1, rate and ln(rate^shape / Γ(shape)): the density without recomputing Γ.
    shape_m1: f64,
    rate: f64,
    ln_norm: f64,
}

impl GammaQuantile {
    fn new(shape: f64, scale: f64) -> Self {
        let dist = Gamma::new(shape, 1.0 / scale).expect("valid constants");
        let top = dist.inverse_cdf(1.0 - 1e-9);
        let cells = 1024;
        let h = top / cells as f64;
        let cdf = (0..=cells).map(|k| dist.cdf(k as f64 * h)).collect();
        let rate = 1.0 / scale;
        GammaQuantile {
            dist,
            cdf,
            h,
            shape_m1: shape - 1.0,
            rate,
            ln_norm: shape * rate.ln() - statrs::function::gamma::ln_gamma(shape),
        }
    }

    fn pdf(&self, x: f64) -> f64 {
        (self.ln_norm + self.shape_m1 * x.ln() - self.rate * x).exp()
    }

    /// The `u`-quantile, u in (0, 1).
    fn at(&self, u: f64) -> f64 {
        // The cell holding the root; in the first cell (where the density vanishes at 0) and
        // beyond the table, the general method.
        let k = self.cdf.partition_point(|&f| f <= u);
        if k <= 1 || k >= self.cdf.len() {
            return self.dist.inverse_cdf(u);
        }
        let (f0, f1) = (self.cdf[k - 1], self.cdf[k]);
        let (lo, hi) = ((k - 1) as f64 * self.h, k as f64 * self.h);
        let mut x = lo + self.h * (u - f0) / (f1 - f0);
        for _ in 0..8 {
            let step = (self.dist.cdf(x) - u) / self.pdf(x);
            let next = (x - step).clamp(lo, hi);
            let done = (next - x).abs() <= 4.0 * f64::EPSILON * x;
            x = next;
            if done {
                break;
            }
        }
        x
    }
}

/// Seconds to pass an exit gate under `PosRegression` (no source: an assumption).
pub const GATE_PASSAGE: f64 = 3.0;

/// Service time in seconds of a customer with `items` items.
pub fn service_time(model: &ServiceModel, kind: LaneKind, items: u32, draws: ServiceDraws) -> f64 {
    let (scan, pay) = service_components(model, kind, items, draws);
    scan + pay
}

/// Service time split into (scanning, payment) seconds; models without a payment part put
/// everything into scanning.
pub fn service_components(
    model: &ServiceModel,
    kind: LaneKind,
    items: u32,
    draws: ServiceDraws,
) -> (f64, f64) {
    let n = f64::from(items.max(1));
    match model {
        ServiceModel::Constant(s) => (*s, 0.0),
        // Inverse CDF of the exponential; 1 - u keeps the result finite for u in (0, 1).
        ServiceModel::Exponential { mean } => (-mean * (1.0 - draws.scan).ln(), 0.0),
        ServiceModel::PosRegression => match kind {
            LaneKind::Staffed => (
                STAFFED_SCAN.at(n, std_normal_quantile(draws.scan)),
                staffed_payment(draws.pay),
            ),
            LaneKind::SelfCheckout => (
                SELF_SCAN.at(n, std_normal_quantile(draws.scan)),
                SELF_PAY.at(n, std_normal_quantile(draws.pay)),
            ),
            LaneKind::PaymentPoint => (0.0, staffed_payment(draws.pay)),
            LaneKind::Audit => (STAFFED_SCAN.at(n, std_normal_quantile(draws.scan)), 0.0),
            LaneKind::Gate => (GATE_PASSAGE, 0.0),
            // The customer's own check-in time replaces this (checkout).
            LaneKind::EntryGate => (GATE_PASSAGE, 0.0),
        },
    }
}

/// Expected service time in seconds of a customer with `items` items.
pub fn mean_service_time(model: &ServiceModel, kind: LaneKind, items: u32) -> f64 {
    let n = f64::from(items.max(1));
    match model {
        ServiceModel::Constant(s) => *s,
        ServiceModel::Exponential { mean } => *mean,
        ServiceModel::PosRegression => match kind {
            LaneKind::Staffed => STAFFED_SCAN.mean(n) + STAFFED_PAY_SHAPE * STAFFED_PAY_SCALE,
            LaneKind::SelfCheckout => SELF_SCAN.mean(n) + SELF_PAY.mean(n),
            LaneKind::PaymentPoint => STAFFED_PAY_SHAPE * STAFFED_PAY_SCALE,
            LaneKind::Audit => STAFFED_SCAN.mean(n),
            LaneKind::Gate => GATE_PASSAGE,
            // For queue choice only: the default check-in time.
            LaneKind::EntryGate => GATE_PASSAGE,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tabulated Newton quantile finds the root as well as the general inverse CDF does:
    /// its CDF misses `u` by no more than the general method's, to within the accuracy of the
    /// CDF itself (about 1e-15), everywhere including both tails.
    #[test]
    fn payment_quantile_matches_the_general_inverse_cdf() {
        let q = GammaQuantile::new(STAFFED_PAY_SHAPE, STAFFED_PAY_SCALE);
        let general = Gamma::new(STAFFED_PAY_SHAPE, 1.0 / STAFFED_PAY_SCALE).unwrap();
        let us = (1..20_000).map(|i| f64::from(i) / 20_000.0).chain([
            1e-12,
            1e-7,
            1e-4,
            1.0 - 1e-4,
            1.0 - 1e-7,
            1.0 - 1e-12,
        ]);
        for u in us {
            let (a, b) = (q.at(u), general.inverse_cdf(u));
            let (miss_a, miss_b) = ((general.cdf(a) - u).abs(), (general.cdf(b) - u).abs());
            assert!(
                miss_a <= miss_b + 16.0 * f64::EPSILON,
                "u = {u}: cdf misses by {miss_a:e} against {miss_b:e}"
            );
            assert!(miss_a <= 1e-13, "u = {u}: cdf misses by {miss_a:e}");
        }
    }
}
