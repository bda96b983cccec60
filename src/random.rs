//! Random streams and the distributions a scenario can name.
//!
//! Every source of randomness has its own ChaCha8 stream derived from the run seed, so that
//! two variants of a store run with the same seed see the same customers (common random
//! numbers): customer `i` always gets stream `CUSTOMER + i`, whatever the lanes or the layout.
//! ChaCha8 is specified bit for bit, so streams are the same on every platform and version.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, Exp1, Poisson, StandardNormal};

use crate::scenario::{Basket, Distribution};

pub type SimRng = ChaCha8Rng;

/// Stream for the arrival process.
pub const ARRIVALS: u64 = 1;
/// Streams for staff decisions.
pub const STAFF: u64 = 2;
/// First customer stream; customer `i` uses `CUSTOMER + i`.
pub const CUSTOMER: u64 = 1 << 32;

/// The random stream `stream` of a run with seed `seed`.
pub fn stream(seed: u64, stream: u64) -> SimRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Draws from a scenario distribution (seconds or m/s). Truncated normals redraw; after 100
/// misses (a distribution almost entirely outside its bounds) the value is clamped.
pub fn draw(dist: &Distribution, rng: &mut impl Rng) -> f64 {
    match *dist {
        Distribution::Constant(v) => v,
        Distribution::Uniform { min, max } => {
            if max > min {
                rng.random_range(min..max)
            } else {
                min
            }
        }
        Distribution::Exponential { mean } => {
            let e: f64 = Exp1.sample(rng);
            e * mean
        }
        Distribution::Normal { mean, sd, min, max } => {
            for _ in 0..100 {
                let z: f64 = StandardNormal.sample(rng);
                let v = mean + sd * z;
                if (min..=max).contains(&v) {
                    return v;
                }
            }
            mean.clamp(min, max)
        }
    }
}

/// Mean of a scenario distribution (used for expected waits and documentation).
pub fn mean(dist: &Distribution) -> f64 {
    match *dist {
        Distribution::Constant(v) => v,
        Distribution::Uniform { min, max } => (min + max) / 2.0,
        Distribution::Exponential { mean } => mean,
        // Truncation shifts the mean slightly; the untruncated value is a fair summary.
        Distribution::Normal { mean, .. } => mean,
    }
}

/// Basket sizes drawn by inversion of a cumulative table (or Poisson).
#[derive(Clone, Debug)]
pub enum BasketSampler {
    Constant(u32),
    Poisson(Poisson<f64>),
    Table {
        sizes: Vec<u32>,
        cumulative: Vec<f64>,
    },
}

impl BasketSampler {
    /// Builds a sampler; the basket must have been validated.
    pub fn new(basket: &Basket) -> Self {
        match basket {
            Basket::Constant(n) => BasketSampler::Constant(*n),
            Basket::Poisson { mean } => {
                if *mean <= 1.0 {
                    BasketSampler::Constant(1)
                } else {
                    BasketSampler::Poisson(Poisson::new(mean - 1.0).expect("validated mean"))
                }
            }
            Basket::Empirical(table) => {
                let total: f64 = table.iter().map(|(_, s)| s).sum();
                let mut acc = 0.0;
                let mut sizes = Vec::new();
                let mut cumulative = Vec::new();
                for &(n, share) in table {
                    acc += share / total;
                    sizes.push(n);
                    cumulative.push(acc);
                }
                BasketSampler::Table { sizes, cumulative }
            }
        }
    }

    pub fn sample(&self, rng: &mut impl Rng) -> u32 {
        match self {
            BasketSampler::Constant(n) => *n,
            BasketSampler::Poisson(p) => 1 + p.sample(rng) as u32,
            BasketSampler::Table { sizes, cumulative } => {
                let u: f64 = rng.random();
                let i = cumulative.partition_point(|&c| c <= u).min(sizes.len() - 1);
                sizes[i]
            }
        }
    }

    /// The largest basket this sampler can produce (None: unbounded).
    pub fn max(&self) -> Option<u32> {
        match self {
            BasketSampler::Constant(n) => Some(*n),
            BasketSampler::Poisson(_) => None,
            BasketSampler::Table { sizes, .. } => sizes.iter().copied().max(),
        }
    }
}
