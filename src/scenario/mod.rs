//! Scenario files: the RON format a user writes, loaded with serde into plain data.
//!
//! Every struct rejects unknown fields so that a typo is an error, not a silently ignored
//! setting. Units: seconds, metres, metres per second, items, currency units; clock times are
//! `"HH:MM"` strings. The format is documented field by field in `docs/scenario-format.md`.
//!
//! Loading happens in three steps, each reporting every problem it finds:
//! 1. syntax ([`load`] → [`ScenarioError::Syntax`] with file, line and column);
//! 2. `extends`: a variant names a base file and restates only the top-level sections it
//!    changes;
//! 3. semantics ([`crate::scenario::validate`]): cross references, reachability, sizes, shares.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub mod floor_plan;
pub mod validate;

use crate::error::{Problem, ScenarioError};
use crate::scenario::validate::ValidScenario;

/// A complete, resolved scenario (after `extends` has been applied).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Seed of all random streams; `storelab run --seed` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub hours: Hours,
    pub layout: Layout,
    pub products: Vec<Product>,
    pub customers: Customers,
    pub checkouts: Checkouts,
    #[serde(default)]
    pub replenishment: Replenishment,
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// Several consecutive days (absent: one day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<Calendar>,
    /// What makes the stock records drift from the stock (absent: nothing does).
    #[serde(default, skip_serializing_if = "StockErrors::is_none")]
    pub stock_errors: StockErrors,
    /// Automatic ordering from suppliers (absent: the store orders nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordering: Option<Ordering>,
    /// Stock counts that correct the record (absent: nobody counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counting: Option<Counting>,
    /// What customers do at the checkout queues besides waiting (absent: they wait, however
    /// long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_behaviour: Option<QueueBehaviour>,
    /// Staff who help at self-checkouts that stop (absent: terminals never stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendants: Option<Attendants>,
    /// When staffed tills open and close beyond `checkouts.groups[…].open` (absent: the
    /// lanes open at opening stay open all day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane_policy: Option<LanePolicy>,
    /// Customer segments by id, each with its share and checkout method (absent: one
    /// segment, everyone uses the tills and self-checkouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<BTreeMap<String, Segment>>,
    /// How scan & go customers scan, pay and are audited (for segments with `checkout:
    /// ScanAndGo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_and_go: Option<ScanAndGo>,
    /// How the gates of a cashierless store behave (for segments with `checkout:
    /// Cashierless`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashierless: Option<Cashierless>,
    /// Named staff on shifts with breaks (absent: cashiers at the tills open at opening and
    /// `replenishment.restockers` restockers, all of them all day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rota: Option<Rota>,
}

fn default_seed() -> u64 {
    1
}

/// A variant file as written: `extends` plus any subset of the top-level sections.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
struct ScenarioFile {
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    hours: Option<Hours>,
    #[serde(default)]
    layout: Option<Layout>,
    #[serde(default)]
    products: Option<Vec<Product>>,
    #[serde(default)]
    customers: Option<Customers>,
    #[serde(default)]
    checkouts: Option<Checkouts>,
    #[serde(default)]
    replenishment: Option<Replenishment>,
    #[serde(default)]
    metrics: Option<MetricsConfig>,
    #[serde(default)]
    calendar: Option<Calendar>,
    #[serde(default)]
    stock_errors: Option<StockErrors>,
    #[serde(default)]
    ordering: Option<Ordering>,
    #[serde(default)]
    counting: Option<Counting>,
    #[serde(default)]
    queue_behaviour: Option<QueueBehaviour>,
    #[serde(default)]
    attendants: Option<Attendants>,
    #[serde(default)]
    lane_policy: Option<LanePolicy>,
    #[serde(default)]
    segments: Option<BTreeMap<String, Segment>>,
    #[serde(default)]
    scan_and_go: Option<ScanAndGo>,
    #[serde(default)]
    cashierless: Option<Cashierless>,
    #[serde(default)]
    rota: Option<Rota>,
}

/// When the doors are open. Simulated time is seconds since 00:00 of the simulated day.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Hours {
    /// Doors open and close at clock times; customers inside at closing finish their trip.
    Daily { open: ClockTime, close: ClockTime },
    /// Doors open at 00:00 for this many hours (for long validation runs).
    Duration { hours: f64 },
}

impl Hours {
    /// Opening and closing time in seconds since 00:00.
    pub fn span(&self) -> (f64, f64) {
        match self {
            Hours::Daily { open, close } => (open.seconds(), close.seconds()),
            Hours::Duration { hours } => (0.0, hours * 3600.0),
        }
    }
}

/// Largest hour of a clock time (366 days, as the longest run).
pub const MAX_CLOCK_HOURS: u32 = 24 * 366;

/// A clock time written `"HH:MM"` (or `"HH:MM:SS"`); hours may exceed 23 for multi-day runs,
/// up to [`MAX_CLOCK_HOURS`].
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct ClockTime(pub f64);

impl ClockTime {
    pub fn seconds(self) -> f64 {
        self.0
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        let bad = || format!("`{s}` is not a clock time; write \"HH:MM\", e.g. \"07:30\"");
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let h = num(parts[0])?;
        let m = num(parts[1])?;
        let sec = if parts.len() == 3 { num(parts[2])? } else { 0 };
        if m >= 60 || sec >= 60 {
            return Err(bad());
        }
        if h > MAX_CLOCK_HOURS {
            return Err(format!(
                "`{s}`: {h} hours is too far; clock times go up to {MAX_CLOCK_HOURS}:00 (366 days)"
            ));
        }
        // Cannot overflow: h ≤ MAX_CLOCK_HOURS.
        Ok(ClockTime(f64::from(h * 3600 + m * 60 + sec)))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_clock(self.0))
    }
}

/// Formats seconds since 00:00 as `HH:MM:SS`.
pub fn format_clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ClockTime::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secs = self.0.round() as u64;
        let text = if secs.is_multiple_of(60) {
            format!("{:02}:{:02}", secs / 3600, (secs / 60) % 60)
        } else {
            format_clock(self.0)
        };
        s.serialize_str(&text)
    }
}

/// The floor plan, drawn as text: one string per row, one character per cell.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Edge length of one square cell, metres.
    #[serde(default = "default_cell_size")]
    pub cell_size: f64,
    pub rows: Vec<String>,
    /// Extra characters: shelves and checkouts. The built-in characters are listed in
    /// [`Cell::builtin`] and may not be redefined.
    #[serde(default)]
    pub legend: BTreeMap<char, LegendEntry>,
}

fn default_cell_size() -> f64 {
    1.0
}

/// What a legend character stands for.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum LegendEntry {
    /// Part of the named shelf (several characters or cells may form one shelf).
    Shelf(String),
    /// One checkout lane of the named lane group in `checkouts.groups`.
    Checkout(String),
    Wall,
    Floor,
    Entrance,
    Exit,
    Backroom,
}

/// A product on sale.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Price per unit, currency units.
    pub price: f64,
    /// Shelf (from the layout legend) that holds it.
    pub shelf: String,
    /// Units the shelf space holds.
    pub capacity: u32,
    /// Units on the shelf at opening; defaults to `capacity`.
    #[serde(default)]
    pub shelf_stock: Option<u32>,
    /// Units in the backroom at opening.
    #[serde(default)]
    pub backroom_stock: u32,
    /// Relative weight with which a basket item is this product (any positive scale).
    pub popularity: f64,
}

/// Who comes, how much they buy, how they move.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Customers {
    pub arrivals: Arrivals,
    /// Scales the arrival rate (1.0 = as stated); the knob for "a busier day".
    #[serde(default = "one")]
    pub arrival_multiplier: f64,
    /// Number of items (units) a customer intends to buy.
    pub basket: Basket,
    /// Walking speed, m/s.
    #[serde(default = "default_walking_speed")]
    pub walking_speed: Distribution,
    /// Time to take one item from the shelf, seconds.
    #[serde(default = "default_pick_time")]
    pub pick_time: Distribution,
}

fn one() -> f64 {
    1.0
}

fn default_walking_speed() -> Distribution {
    // Weidmann (1993): free walking speed of adults ~1.34 m/s, range 0.8-1.7 m/s.
    Distribution::Normal {
        mean: 1.34,
        sd: 0.2,
        min: 0.8,
        max: 1.7,
    }
}

fn default_pick_time() -> Distribution {
    Distribution::Constant(4.0)
}

/// Arrival process at the entrance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Arrivals {
    /// Homogeneous Poisson process, customers per hour.
    Poisson { per_hour: f64 },
    /// Non-homogeneous Poisson process: the rate (customers per hour) is constant within each
    /// clock hour that starts at the given time, zero in hours not listed.
    Hourly {
        per_hour: BTreeMap<ClockTimeKey, f64>,
    },
}

/// A clock time used as a map key (kept as whole seconds so it orders and compares exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTimeKey(pub u32);

impl<'de> Deserialize<'de> for ClockTimeKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = ClockTime::deserialize(d)?;
        Ok(ClockTimeKey(t.0 as u32))
    }
}

impl Serialize for ClockTimeKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ClockTime(f64::from(self.0)).serialize(s)
    }
}

/// Mean items per customer over the segments (by their shares, each with its own basket or
/// `customers.basket`), or of `customers.basket` without segments.
pub fn mean_basket(s: &Scenario) -> f64 {
    let Some(segments) = &s.segments else {
        return s.customers.basket.mean();
    };
    let stated: f64 = segments.values().filter_map(|g| g.share).sum();
    let rest = (1.0 - stated).max(0.0);
    segments
        .values()
        .map(|g| g.share.unwrap_or(rest) * g.basket.as_ref().unwrap_or(&s.customers.basket).mean())
        .sum()
}

/// Basket size: items per customer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Basket {
    /// Every customer buys this many items.
    Constant(u32),
    /// 1 + Poisson(mean - 1): at least one item, mean as given.
    Poisson { mean: f64 },
    /// Table of (items, share); shares must add up to 1.
    Empirical(Vec<(u32, f64)>),
}

impl Basket {
    /// Mean items per customer.
    pub fn mean(&self) -> f64 {
        match self {
            Basket::Constant(n) => f64::from(*n),
            Basket::Poisson { mean } => mean.max(1.0),
            // Shares as the sampler uses them: relative to their sum.
            Basket::Empirical(table) => {
                let total: f64 = table.iter().map(|&(_, p)| p).sum();
                table.iter().map(|&(n, p)| f64::from(n) * p).sum::<f64>() / total
            }
        }
    }
}

/// A distribution of a positive quantity (seconds or m/s).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Distribution {
    Constant(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Exponential {
        mean: f64,
    },
    /// Normal, truncated to `[min, max]` by redrawing.
    Normal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
}

/// The checkout zone: lane groups and how customers pick a queue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Checkouts {
    /// How a customer picks among the queues it may use.
    #[serde(default)]
    pub strategy: QueueStrategy,
    /// Lane groups by id; each checkout cell of the group's legend character is one lane.
    pub groups: BTreeMap<String, LaneGroup>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LaneGroup {
    pub kind: LaneKind,
    #[serde(default)]
    pub service: ServiceModel,
    /// Customers with more items may not use these lanes.
    #[serde(default)]
    pub item_limit: Option<u32>,
    #[serde(default)]
    pub queue: QueueDiscipline,
    /// How many of the group's lanes are open (in reading order of the layout); default all.
    #[serde(default)]
    pub open: Option<u32>,
    /// Side of the checkout cell where customers are served and queue; default: the floor side
    /// farthest from the exits.
    #[serde(default)]
    pub queue_side: Option<Side>,
    /// Lanes open by time of day: from each `("HH:MM", lanes)` on, that many of the group's
    /// lanes (in reading order) are open; closing lanes serve their queue first. Before the
    /// first time, `open` applies. `storelab staff-plan` writes one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<(ClockTime, u32)>,
}

/// What customers at the checkout do besides waiting: balk (leave on seeing the queue),
/// renege (leave the queue when their patience runs out) and jockey (move to a shorter
/// queue). A customer who balks or reneges leaves its basket behind and buys nothing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct QueueBehaviour {
    /// Balking: `(customers waiting, probability)` by ascending queue length. A customer who
    /// has chosen a queue leaves the store instead with the probability of the last entry
    /// whose length does not exceed the customers waiting in that queue (0 below the first).
    #[serde(default)]
    pub balking: Vec<(u32, f64)>,
    /// Reneging (absent: nobody reneges).
    #[serde(default)]
    pub reneging: Option<Reneging>,
    /// Jockeying (absent: nobody changes queues).
    #[serde(default)]
    pub jockeying: Option<Jockeying>,
}

/// Customers who give up waiting.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reneging {
    /// Share of customers with a limited patience (the others wait however long); default 1.
    #[serde(default = "one")]
    pub share: f64,
    /// Their patience: seconds in the queue after which they leave it, if not yet served.
    pub patience: Distribution,
}

/// Customers who move to a shorter queue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Jockeying {
    /// The last customer of a queue moves when another queue it may use has at least this
    /// many fewer customers in line than are ahead of it (walking over counts as in line).
    pub min_difference: u32,
}

/// Attendants at self-checkouts: a transaction may stop (an unreadable code, a weight check,
/// an age check) until an attendant walks over and resolves it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attendants {
    /// The self-checkout lane groups they oversee.
    pub groups: Vec<String>,
    /// Terminals in one attendant's bank: each group's lanes, in reading order, are cut into
    /// banks of this many, with one attendant each.
    pub terminals_per_attendant: u32,
    /// Probability that a transaction stops for an attendant (besides age checks).
    pub intervention: f64,
    /// Products whose sale always stops the terminal for an age check.
    #[serde(default)]
    pub age_restricted: Vec<String>,
    /// Seconds an attendant needs at the terminal, once there.
    pub resolve: Distribution,
    /// Attendants' walking speed, m/s.
    #[serde(default = "default_staff_speed")]
    pub walking_speed: f64,
}

/// A group of customers with its own way of checking out and, optionally, its own
/// walking speed, basket and patience (absent: the `customers` section's).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Share of the customers (0..1). One segment may leave it out: it takes the rest.
    #[serde(default)]
    pub share: Option<f64>,
    /// How its customers check out.
    #[serde(default)]
    pub checkout: CheckoutMethod,
    /// With `checkout: Lanes`: the lane groups its customers use (empty: every staffed
    /// till and self-checkout group).
    #[serde(default)]
    pub lanes: Vec<String>,
    /// Walking speed, m/s.
    #[serde(default)]
    pub walking_speed: Option<Distribution>,
    /// Items a customer intends to buy.
    #[serde(default)]
    pub basket: Option<Basket>,
    /// Seconds to take one item from the shelf.
    #[serde(default)]
    pub pick_time: Option<Distribution>,
    /// Patience in the queue, replacing `queue_behaviour.reneging.patience`.
    #[serde(default)]
    pub patience: Option<Distribution>,
}

/// How a segment's customers check out.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum CheckoutMethod {
    /// At staffed tills or self-checkouts, queueing.
    #[default]
    Lanes,
    /// Scanning each item with a phone while shopping, then paying at a payment point or
    /// by app at an exit gate, audited now and then (`scan_and_go`).
    ScanAndGo,
    /// Walking out through a gate that charges what cameras and sensors saw taken
    /// (`cashierless`).
    Cashierless,
}

/// Scan & go: customers scan every item they pick with their phone and skip the checkout.
/// Defaults: Beck 2018 (ECR, "Self-Checkout in Retail: Measuring the Loss") for audits and
/// non-scans; the scanning time is an assumption.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScanAndGo {
    /// Extra seconds per item to scan it with the phone while picking (default 3 s: an
    /// assumption).
    #[serde(default = "default_scan_time")]
    pub scan_time: Distribution,
    /// Where scan & go customers pay.
    #[serde(default)]
    pub payment: ScanGoPayment,
    /// Probability that a customer does not scan an item it takes (default 0.006: Beck
    /// 2018 found an unscanned item in 2.88 % of the 12 % partial rescans; with rescans of
    /// about 5 items that is ~0.6 % per item).
    #[serde(default = "default_unscanned")]
    pub unscanned_per_item: f64,
    /// Audits (absent: nobody is audited).
    #[serde(default = "default_audit")]
    pub audit: Option<Audit>,
}

fn default_scan_time() -> Distribution {
    Distribution::Constant(3.0)
}
fn default_unscanned() -> f64 {
    0.006
}
fn default_audit() -> Option<Audit> {
    Some(Audit::default())
}

/// Where scan & go customers pay.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum ScanGoPayment {
    /// At a payment point (a lane group of kind `PaymentPoint`), a short transaction.
    #[default]
    Point,
    /// In the app; they leave through an exit gate (a lane group of kind `Gate`).
    App,
}

/// Random audits of scan & go baskets at an audit point (a lane group of kind `Audit`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// Share of scan & go customers audited (default 0.12: Beck 2018).
    #[serde(default = "default_audit_share")]
    pub share: f64,
    /// How much is rescanned.
    #[serde(default)]
    pub rescan: Rescan,
}

fn default_audit_share() -> f64 {
    0.12
}

impl Default for Audit {
    fn default() -> Self {
        Audit {
            share: default_audit_share(),
            rescan: Rescan::default(),
        }
    }
}

/// How much of an audited basket is rescanned.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Rescan {
    /// This many items (all if fewer); each unscanned item is found with probability
    /// items rescanned / items in the basket.
    Partial(u32),
    /// Every item: every unscanned item is found.
    Full,
}

impl Default for Rescan {
    fn default() -> Self {
        // An assumption: Beck 2018 reports partial rescans without their size.
        Rescan::Partial(5)
    }
}

/// A cashierless ("just walk out") store: customers check in with the app at the entrance
/// and leave through exit gates (lane groups of kind `Gate`); cameras and sensors charge
/// what they saw taken. No source gives gate times or error rates: every default is an
/// assumption.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cashierless {
    /// Seconds to check in at the entrance (default 3 s).
    #[serde(default = "default_check_in")]
    pub check_in: Distribution,
    /// Probability that the system misses an item taken (not charged: shrink; default
    /// 0.002).
    #[serde(default = "default_missed")]
    pub missed_per_item: f64,
    /// Probability that an item is charged wrongly (the customer complains; default 0.002).
    #[serde(default = "default_wrong_charge")]
    pub wrong_charge_per_item: f64,
}

fn default_check_in() -> Distribution {
    Distribution::Constant(3.0)
}
fn default_missed() -> f64 {
    0.002
}
fn default_wrong_charge() -> f64 {
    0.002
}

/// Named staff on shifts. Cashiers open the tills of their group while on duty (a till is
/// open only while a cashier is at it); restockers take tasks while on duty. A break of
/// `breaks.minutes` falls due `breaks.after_hours` after a shift starts, if the shift is
/// longer; staff finish the task in hand (a cashier: the queue of its till) before a break
/// or the end of the shift.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rota {
    #[serde(default)]
    pub breaks: Breaks,
    pub shifts: Vec<Shift>,
}

/// When a break falls due and how long it lasts (default: 20 min after 6 h, the UK Working
/// Time Regulations 1998, reg. 12).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Breaks {
    #[serde(default = "default_break_after")]
    pub after_hours: f64,
    #[serde(default = "default_break_minutes")]
    pub minutes: f64,
}

fn default_break_after() -> f64 {
    6.0
}
fn default_break_minutes() -> f64 {
    20.0
}

impl Default for Breaks {
    fn default() -> Self {
        Breaks {
            after_hours: default_break_after(),
            minutes: default_break_minutes(),
        }
    }
}

/// A shift: `staff` people of one role working from `from` to `to`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    pub role: ShiftRole,
    /// Cashiers and auditors: the lane group whose lanes they open (tills or scan & go
    /// payment points; audit points). Attendants: the self-checkout group they help at.
    #[serde(default)]
    pub group: Option<String>,
    pub from: ClockTime,
    pub to: ClockTime,
    /// How many work this shift (default 1).
    #[serde(default = "one_u32")]
    pub staff: u32,
    /// Their names, in order (absent or fewer: `cashier 3`, `restocker 2`, …).
    #[serde(default)]
    pub names: Vec<String>,
}

fn one_u32() -> u32 {
    1
}

/// What a shift's staff do.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum ShiftRole {
    /// Sits at a staffed till or a scan & go payment point of its group.
    Cashier,
    Restocker,
    /// Sits at a scan & go audit point of its group.
    Auditor,
    /// Helps at the stopped self-checkouts of its group (one listed in `attendants.groups`).
    Attendant,
}

impl ShiftRole {
    /// Whether its staff sit at the lanes of a group, which are open while they do.
    pub fn at_lanes(self) -> bool {
        matches!(self, ShiftRole::Cashier | ShiftRole::Auditor)
    }
}

/// How staffed tills open and close during the day.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum LanePolicy {
    /// "One in front" (Tesco, 1990s): when more than `max_waiting` customers wait at a till of
    /// `group`, a restocker is called to open another till of the group, and customers of
    /// the long queues are called over; a till opened so closes when it has stood idle with
    /// an empty queue for `close_after_idle` seconds, and the restocker goes back.
    OneInFront {
        group: String,
        max_waiting: u32,
        #[serde(default = "default_close_after_idle")]
        close_after_idle: f64,
        /// Seconds to hand over the task in hand before walking to the till.
        #[serde(default = "default_handover")]
        handover: f64,
    },
}

fn default_close_after_idle() -> f64 {
    300.0
}

fn default_handover() -> f64 {
    30.0
}

/// A side of a cell, as the plan is drawn.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Side {
    Up,
    Down,
    Left,
    Right,
}

impl Side {
    /// Unit step (dx, dy) towards this side.
    pub fn step(self) -> (i32, i32) {
        match self {
            Side::Up => (0, -1),
            Side::Down => (0, 1),
            Side::Left => (-1, 0),
            Side::Right => (1, 0),
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum LaneKind {
    /// A till with a cashier.
    Staffed,
    /// The customer scans and pays alone.
    SelfCheckout,
    /// A scan & go payment point: the customer has scanned while shopping and only pays.
    PaymentPoint,
    /// Where a member of staff rescans scan & go baskets picked for an audit.
    Audit,
    /// A gate that scan & go (app payment) and cashierless customers pass on their way out.
    Gate,
    /// A gate at the entrance where cashierless customers check in with the app, one at a
    /// time, for their check-in time (`cashierless.check_in`).
    EntryGate,
}

impl LaneKind {
    /// The kind's name in the view and reports.
    pub fn name(self) -> &'static str {
        match self {
            LaneKind::Staffed => "staffed till",
            LaneKind::SelfCheckout => "self-checkout",
            LaneKind::PaymentPoint => "scan & go payment point",
            LaneKind::Audit => "scan & go audit point",
            LaneKind::Gate => "exit gate",
            LaneKind::EntryGate => "entrance gate",
        }
    }

    /// Tills and self-checkouts: the lanes of customers who check out the classic way.
    pub fn is_checkout(self) -> bool {
        matches!(self, LaneKind::Staffed | LaneKind::SelfCheckout)
    }
}

/// Service time of one customer at a lane, seconds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub enum ServiceModel {
    /// Power regression fitted to real POS data (Antczak, Weron & Zabawa 2020), with the
    /// coefficients for the lane kind; grows with basket size.
    #[default]
    PosRegression,
    /// Exponential with this mean, independent of basket size.
    Exponential { mean: f64 },
    /// Always this many seconds.
    Constant(f64),
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum QueueDiscipline {
    /// Each lane has its own line.
    #[default]
    PerLane,
    /// One line feeds all lanes of the group (first free lane takes the head).
    Shared,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum QueueStrategy {
    /// Uniformly at random among the allowed queues.
    Random,
    /// The queue with the fewest customers (waiting + in service, per open lane).
    #[default]
    FewestCustomers,
    /// The queue with the fewest items in the baskets ahead.
    FewestItems,
    /// The queue whose expected wait (mean service times of those ahead) is least.
    LeastExpectedWait,
}

/// A day of the week.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weekday {
    #[default]
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The weekday `days` days after this one.
    pub fn plus(self, days: u32) -> Weekday {
        Weekday::ALL[(self as usize + days as usize) % 7]
    }
}

/// Several consecutive store days. Each open day runs `hours` (doors closed overnight); stock,
/// records and orders carry over from one day to the next, customers do not.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Days simulated (1..=3660).
    pub days: u32,
    /// The first days are simulated but left out of every KPI (stock and orders settle).
    #[serde(default)]
    pub warmup_days: u32,
    /// Weekday of the first day.
    #[serde(default)]
    pub first_weekday: Weekday,
    /// Weekdays the store stays shut (no customers; deliveries wait for the next open day).
    #[serde(default)]
    pub closed: Vec<Weekday>,
    /// Demand factor per weekday (scales the arrival rate; a weekday not listed: 1.0).
    #[serde(default)]
    pub demand: BTreeMap<Weekday, f64>,
    /// Opening hours of single weekdays (`Daily`); a weekday not listed keeps `hours`.
    #[serde(default)]
    pub hours: BTreeMap<Weekday, Hours>,
}

impl Calendar {
    /// Whether the store opens on day `d` (0-based).
    pub fn is_open(&self, d: u32) -> bool {
        !self.closed.contains(&self.first_weekday.plus(d))
    }

    /// The hours of a weekday.
    pub fn hours_of<'a>(&'a self, weekday: Weekday, default: &'a Hours) -> &'a Hours {
        self.hours.get(&weekday).unwrap_or(default)
    }

    /// The earliest closing time of the open weekdays, seconds since 00:00.
    pub fn earliest_close(&self, default: &Hours) -> f64 {
        Weekday::ALL
            .iter()
            .filter(|d| !self.closed.contains(d))
            .map(|&d| self.hours_of(d, default).span().1)
            .fold(f64::INFINITY, f64::min)
    }
}

/// What makes the stock record drift from the stock. Each is a probability per unit (0..1).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StockErrors {
    /// Units that vanish from the shelf (theft, damage) per unit sold, at closing, without a
    /// record change.
    #[serde(default)]
    pub shrink_per_unit_sold: f64,
    /// Units a restocker puts where nobody finds them, per unit refilled.
    #[serde(default)]
    pub misplaced_per_unit_refilled: f64,
    /// Units scanned at the till as another product, per unit sold: the sold product's
    /// record stays too high and the other's falls.
    #[serde(default)]
    pub scan_error_per_unit: f64,
    /// Deliveries that bring one case more or one case less than booked.
    #[serde(default)]
    pub delivery_error_per_delivery: f64,
}

impl StockErrors {
    pub fn is_none(&self) -> bool {
        self == &StockErrors::default()
    }
}

/// Automatic ordering: a policy per product acting on the *record* (plus units on order),
/// suppliers delivering after a lead time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ordering {
    /// The policy of every product not listed in `products`.
    pub policy: Policy,
    /// Policies of single products, by product id.
    #[serde(default)]
    pub products: BTreeMap<String, Policy>,
    /// Days from order to delivery (an order on day d arrives on day d + lead time).
    #[serde(default = "default_lead_time")]
    pub lead_time_days: u32,
    /// Random extra days on top of the lead time, uniform from 0 to this (0: fixed lead time).
    #[serde(default)]
    pub lead_time_spread_days: u32,
    /// When deliveries arrive (before opening: booked at opening).
    #[serde(default = "default_delivery_time")]
    pub delivery_time: ClockTime,
    /// Units per case: orders are whole cases.
    #[serde(default = "default_case_pack")]
    pub case_pack: u32,
    /// Staff time to receive one case into the backroom, seconds (0: deliveries are in the
    /// backroom and on the record the moment they arrive).
    #[serde(default)]
    pub receive_seconds_per_case: f64,
    /// Units the backroom holds, all products together (absent: no limit). An order is cut
    /// to the whole cases that still fit beside the backroom's stock, the deliveries at the
    /// door and what is on order.
    #[serde(default)]
    pub backroom_capacity: Option<u64>,
}

fn default_lead_time() -> u32 {
    1
}
fn default_delivery_time() -> ClockTime {
    ClockTime(6.0 * 3600.0)
}
fn default_case_pack() -> u32 {
    1
}

/// An ordering policy on the inventory position (record + units on order), in units.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Policy {
    /// Never ordered.
    None,
    /// Continuous review (s, Q): whenever the position is at or below `s`, order `q` units
    /// (in whole cases), as often as needed to rise above `s`.
    ReorderPoint { s: u32, q: u32 },
    /// Continuous review (s, S): whenever the position is at or below `s`, order up to `max`.
    MinMax { s: u32, max: u32 },
    /// Periodic review (R, S): at closing every `every_days` days, order up to `up_to`.
    Periodic { every_days: u32, up_to: u32 },
    /// (s, S) with both levels in days of the product's expected demand (the scenario's
    /// arrivals × basket × popularity share), rounded up to whole units.
    DaysOfCover { s_days: f64, max_days: f64 },
    /// Computer-assisted ordering: at closing every `every_days` days, order up to the
    /// forecast demand over lead time + review period plus safety stock for `service_level`
    /// (the normal quantile times the forecast error). The forecast is exponential smoothing
    /// (`alpha`) of the daily *recorded* sales, starting from the expected demand; the error
    /// is 1.25 × the smoothed mean absolute deviation (Brown).
    Forecast {
        #[serde(default = "default_alpha")]
        alpha: f64,
        #[serde(default = "default_service_level")]
        service_level: f64,
        #[serde(default = "default_forecast_every")]
        every_days: u32,
    },
}

fn default_alpha() -> f64 {
    0.2
}
fn default_service_level() -> f64 {
    0.95
}
fn default_forecast_every() -> u32 {
    1
}

/// Stock counts by the restockers (the same staff who refill shelves): on count days, from
/// `start`, the day's products are counted one after another by at most `staff` restockers at
/// a time; a restocker walks to the shelf, counts shelf and backroom at the method's rate, and
/// the record is set to what was counted.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Counting {
    pub method: CountMethod,
    /// Count on day 1 and every this many days after.
    #[serde(default = "default_count_every")]
    pub every_days: u32,
    /// Products counted on a count day, in catalogue order round the catalogue (absent:
    /// all of them).
    #[serde(default)]
    pub products_per_day: Option<u32>,
    /// When the counts begin (at opening when that is later).
    #[serde(default = "default_count_start")]
    pub start: ClockTime,
    /// Restockers counting at the same time, at most (the others keep refilling).
    #[serde(default = "default_count_staff")]
    pub staff: u32,
    /// Also count, on any open day, every product whose record shows stock but which has sold
    /// nothing for this many open days in a row: a check for phantom stock (absent: no such
    /// counts).
    #[serde(default)]
    pub when_idle_days: Option<u32>,
}

fn default_count_staff() -> u32 {
    1
}

fn default_count_every() -> u32 {
    7
}
fn default_count_start() -> ClockTime {
    ClockTime(8.0 * 3600.0)
}

/// How a count is done.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum CountMethod {
    /// By hand with a barcode scanner: 209 items/h (Univ. of Arkansas, Bloomingdale's pilot
    /// 2009); each unit is missed or counted twice with probability `error_per_item / 2`
    /// each (0.01: an assumption). Misplaced units are not found.
    Manual {
        #[serde(default = "default_manual_rate")]
        items_per_hour: f64,
        #[serde(default = "default_manual_error")]
        error_per_item: f64,
    },
    /// An RFID handheld: 4,767 items/h (Bloomingdale's pilot 2009). A unit is read if it is
    /// tagged (96.5 %: 3.5 % of items with tagging problems, Auburn RFID Lab 2015) and its
    /// tag answers (`read_rate` 0.99: RFID count accuracy 99 %, Hardgrave 2009). Reads also
    /// find misplaced units, which go back to the backroom; units not read are missing from
    /// the record.
    Rfid {
        #[serde(default = "default_rfid_rate")]
        items_per_hour: f64,
        #[serde(default = "default_rfid_tagged")]
        tagged: f64,
        #[serde(default = "default_rfid_read")]
        read_rate: f64,
    },
    /// Fixed RFID readers on the shelves and in the backroom: every product is read every
    /// `every_minutes` while the store is open, with no staff time (`every_days`,
    /// `products_per_day`, `start`, `staff` do not apply). Tags and reads as for `Rfid`.
    RfidReaders {
        #[serde(default = "default_reader_minutes")]
        every_minutes: f64,
        #[serde(default = "default_rfid_tagged")]
        tagged: f64,
        #[serde(default = "default_rfid_read")]
        read_rate: f64,
    },
}

fn default_reader_minutes() -> f64 {
    15.0
}

fn default_manual_rate() -> f64 {
    209.0
}
fn default_manual_error() -> f64 {
    0.01
}
fn default_rfid_rate() -> f64 {
    4767.0
}
fn default_rfid_tagged() -> f64 {
    0.965
}
fn default_rfid_read() -> f64 {
    0.99
}

/// Shelf refilling from the backroom.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Replenishment {
    /// Staff who refill shelves (0 = never refilled).
    #[serde(default = "default_restockers")]
    pub restockers: u32,
    /// A product is queued for refilling when its shelf stock falls below this share of
    /// capacity.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Fixed time per refill (fetch, open case), seconds.
    #[serde(default = "default_setup")]
    pub setup_time: f64,
    /// Time per unit put on the shelf, seconds.
    #[serde(default = "default_per_unit")]
    pub time_per_unit: f64,
    /// Restockers' walking speed, m/s.
    #[serde(default = "default_staff_speed")]
    pub walking_speed: f64,
}

fn default_restockers() -> u32 {
    1
}
fn default_threshold() -> f64 {
    0.25
}
fn default_setup() -> f64 {
    60.0
}
fn default_per_unit() -> f64 {
    3.0
}
fn default_staff_speed() -> f64 {
    1.2
}

impl Default for Replenishment {
    fn default() -> Self {
        Replenishment {
            restockers: default_restockers(),
            threshold: default_threshold(),
            setup_time: default_setup(),
            time_per_unit: default_per_unit(),
            walking_speed: default_staff_speed(),
        }
    }
}

/// What is measured.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Customers arriving in the first `warmup` seconds after opening are simulated but left
    /// out of the waiting-time and time-in-store statistics (for steady-state studies).
    #[serde(default)]
    pub warmup: f64,
    /// Interval of the time series, seconds.
    #[serde(default = "default_sample")]
    pub sample_interval: f64,
    /// A wait longer than this counts as a long wait, seconds.
    #[serde(default = "default_long_wait")]
    pub long_wait: f64,
}

fn default_sample() -> f64 {
    60.0
}
fn default_long_wait() -> f64 {
    300.0
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            warmup: 0.0,
            sample_interval: default_sample(),
            long_wait: default_long_wait(),
        }
    }
}

/// A validated scenario together with where it came from (for messages and relative paths).
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    pub scenario: ValidScenario,
    pub path: PathBuf,
}

/// Reads, resolves `extends`, and validates a scenario file. Every problem is reported.
pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let scenario = load_unvalidated(path, &mut Vec::new())?;
    let scenario =
        crate::scenario::validate::check(scenario).map_err(|problems| ScenarioError::Invalid {
            file: path.to_path_buf(),
            problems,
        })?;
    Ok(LoadedScenario {
        scenario,
        path: path.to_path_buf(),
    })
}

/// Parses a scenario from text (no `extends`, no validation); used by tests and tools.
pub fn parse_str(text: &str, name: &str) -> Result<Scenario, ScenarioError> {
    let file = parse_file(text, Path::new(name))?;
    if file.extends.is_some() {
        return Err(ScenarioError::Invalid {
            file: name.into(),
            problems: vec![Problem::new(
                "extends",
                "`extends` needs a file on disk; load the scenario with `load`",
            )],
        });
    }
    merge(None, file, Path::new(name))
}

fn parse_file(text: &str, path: &Path) -> Result<ScenarioFile, ScenarioError> {
    // Implicit `Some`: an optional field is written as its value, without `Some(...)`.
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str::<ScenarioFile>(text)
        .map_err(|e| ScenarioError::syntax(path, text, e))
}

/// Largest scenario (or session log) file read, bytes. The shipped scenarios are a few KB; the
/// cap keeps `storelab run /dev/zero`-like input from filling memory.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Deepest chain of `extends` followed (a file, its base, the base's base, …).
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Reads a text input file: only a regular file (checked before opening, so a FIFO cannot
/// block and a device cannot stream forever) of at most [`MAX_INPUT_BYTES`]. The error is a
/// plain sentence without the file name.
pub fn read_input(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let regular = |meta: &std::fs::Metadata| -> Result<(), String> {
        let kind = meta.file_type();
        if kind.is_file() {
            Ok(())
        } else if kind.is_dir() {
            Err("is a folder, not a file".into())
        } else {
            Err("is not a regular file (a device, FIFO or socket); give a file".into())
        }
    };
    regular(&std::fs::metadata(path).map_err(|e| e.to_string())?)?;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // The same check on what was opened, in case the path was swapped meanwhile.
    regular(&file.metadata().map_err(|e| e.to_string())?)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "is larger than {} MB; a scenario is a small text file",
            MAX_INPUT_BYTES / (1024 * 1024)
        ));
    }
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_string())
}

fn load_unvalidated(path: &Path, chain: &mut Vec<PathBuf>) -> Result<Scenario, ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let chain_text = |chain: &[PathBuf]| {
        chain
            .iter()
            .chain(std::iter::once(&canonical))
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" -> ")
    };
    if chain.contains(&canonical) {
        return Err(ScenarioError::Invalid {
            file: path.to_path_buf(),
            problems: vec![Problem::new(
                "extends",
                format!(
                    "scenarios extend each other in a loop: {}",
                    chain_text(chain)
                ),
            )],
        });
    }
    if chain.len() >= MAX_EXTENDS_DEPTH {
        // The start and the end of the chain; its middle says little.
        let shown: Vec<PathBuf> = chain[..3]
            .iter()
            .cloned()
            .chain(std::iter::once(PathBuf::from("…")))
            .chain(chain[chain.len() - 2..].iter().cloned())
            .collect();
        return Err(ScenarioError::Invalid {
            file: path.to_path_buf(),
            problems: vec![Problem::new(
                "extends",
                format!(
                    "more than {MAX_EXTENDS_DEPTH} scenarios extend one another: {}",
                    chain_text(&shown)
                ),
            )],
        });
    }
    chain.push(canonical);
    let text = read_input(path).map_err(|message| ScenarioError::Io {
        file: path.to_path_buf(),
        message,
    })?;
    let file = parse_file(&text, path)?;
    // Not kept while the bases load.
    drop(text);
    let base = match &file.extends {
        Some(rel) => {
            let base_path = path.parent().unwrap_or(Path::new(".")).join(rel);
            let problem = match std::fs::metadata(&base_path) {
                Err(_) => Some(format!(
                    "base scenario `{rel}` not found (looked for {})",
                    base_path.display()
                )),
                Ok(m) if !m.is_file() => Some(format!(
                    "base scenario `{rel}` is not a regular file ({})",
                    base_path.display()
                )),
                Ok(_) => None,
            };
            if let Some(message) = problem {
                return Err(ScenarioError::Invalid {
                    file: path.to_path_buf(),
                    problems: vec![Problem::new("extends", message)],
                });
            }
            Some(load_unvalidated(&base_path, chain)?)
        }
        None => None,
    };
    merge(base, file, path)
}

/// Applies a file's sections over its base: a section the file states replaces the base's.
fn merge(
    base: Option<Scenario>,
    file: ScenarioFile,
    path: &Path,
) -> Result<Scenario, ScenarioError> {
    let base = base.map(ScenarioFile::from).unwrap_or_default();
    let merged = ScenarioFile {
        extends: None,
        name: file.name.or(base.name),
        description: file.description.or(base.description),
        seed: file.seed.or(base.seed),
        hours: file.hours.or(base.hours),
        layout: file.layout.or(base.layout),
        products: file.products.or(base.products),
        customers: file.customers.or(base.customers),
        checkouts: file.checkouts.or(base.checkouts),
        replenishment: file.replenishment.or(base.replenishment),
        metrics: file.metrics.or(base.metrics),
        calendar: file.calendar.or(base.calendar),
        stock_errors: file.stock_errors.or(base.stock_errors),
        ordering: file.ordering.or(base.ordering),
        counting: file.counting.or(base.counting),
        queue_behaviour: file.queue_behaviour.or(base.queue_behaviour),
        attendants: file.attendants.or(base.attendants),
        lane_policy: file.lane_policy.or(base.lane_policy),
        segments: file.segments.or(base.segments),
        scan_and_go: file.scan_and_go.or(base.scan_and_go),
        cashierless: file.cashierless.or(base.cashierless),
        rota: file.rota.or(base.rota),
    };
    let missing = |field: &str| {
        Problem::new(
            field,
            "missing section (required unless the file `extends` a base that has it)",
        )
    };
    match merged {
        ScenarioFile {
            name: Some(name),
            hours: Some(hours),
            layout: Some(layout),
            products: Some(products),
            customers: Some(customers),
            checkouts: Some(checkouts),
            description,
            seed,
            replenishment,
            metrics,
            calendar,
            stock_errors,
            ordering,
            counting,
            queue_behaviour,
            attendants,
            lane_policy,
            segments,
            scan_and_go,
            cashierless,
            rota,
            extends: _,
        } => Ok(Scenario {
            name,
            description: description.unwrap_or_default(),
            seed: seed.unwrap_or_else(default_seed),
            hours,
            layout,
            products,
            customers,
            checkouts,
            replenishment: replenishment.unwrap_or_default(),
            metrics: metrics.unwrap_or_default(),
            calendar,
            stock_errors: stock_errors.unwrap_or_default(),
            ordering,
            counting,
            queue_behaviour,
            attendants,
            lane_policy,
            segments,
            scan_and_go,
            cashierless,
            rota,
        }),
        m => {
            let problems = [
                ("name", m.name.is_none()),
                ("hours", m.hours.is_none()),
                ("layout", m.layout.is_none()),
                ("products", m.products.is_none()),
                ("customers", m.customers.is_none()),
                ("checkouts", m.checkouts.is_none()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(field, _)| missing(field))
            .collect();
            Err(ScenarioError::Invalid {
                file: path.to_path_buf(),
                problems,
            })
        }
    }
}

impl From<Scenario> for ScenarioFile {
    fn from(s: Scenario) -> Self {
        ScenarioFile {
            extends: None,
            name: Some(s.name),
            description: Some(s.description),
            seed: Some(s.seed),
            hours: Some(s.hours),
            layout: Some(s.layout),
            products: Some(s.products),
            customers: Some(s.customers),
            checkouts: Some(s.checkouts),
            replenishment: Some(s.replenishment),
            metrics: Some(s.metrics),
            calendar: s.calendar,
            stock_errors: Some(s.stock_errors),
            ordering: s.ordering,
            counting: s.counting,
            queue_behaviour: s.queue_behaviour,
            attendants: s.attendants,
            lane_policy: s.lane_policy,
            segments: s.segments,
            scan_and_go: s.scan_and_go,
            cashierless: s.cashierless,
            rota: s.rota,
        }
    }
}
