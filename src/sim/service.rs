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
//! where n is the number of items. Each customer carries two uniform random numbers drawn on
//! arrival ([`ServiceDraws`]); a service time is a deterministic function of the model, the
//! basket and these numbers (inverse-CDF sampling). A customer who is quick at a staffed till
//! is therefore also quick at a self-checkout, which keeps comparisons of lane types fair
//! (common random numbers).

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
    Gamma::new(STAFFED_PAY_SHAPE, 1.0 / STAFFED_PAY_SCALE)
        .expect("valid constants")
        .inverse_cdf(u)
}

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
        },
    }
}
