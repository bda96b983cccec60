//! The egui panels: clock and speed controls, live KPIs, steering, live charts, inspector.
//!
//! Each panel is a plain function of an `egui::Ui` and plain data that returns the user's
//! [`Action`]s; the app applies them to the [`crate::view::lab::Lab`]. That keeps the panels
//! testable without a window (egui_kittest, `tests/gui_panels.rs`).

use bevy::prelude::World;
use bevy_egui::egui::{self, Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use crate::scenario::format_clock;
use crate::sim::calendar::DayRow;
use crate::sim::checkout::{Checkout, CheckoutQueue, Lane};
use crate::sim::customer::Customer;
use crate::sim::inventory::Inventory;
use crate::sim::metrics::Metrics;
use crate::sim::shopping::{Catalog, Shelf};
use crate::sim::staff::{StaffMember, Task, TaskKind, TaskQueue, staff_name};
use crate::view::lab::Speed;

use super::floor;
use crate::ids::LaneId;
use crate::view::model::{Selection, phase_text, role_text};

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Play,
    Pause,
    Step,
    SetSpeed(Speed),
    Restart {
        seed: u64,
    },
    ToggleHeatmap,
    SetLaneOpen {
        store: usize,
        lane: LaneId,
        open: bool,
    },
    SetArrivalMultiplier(f64),
    SetMaxWaiting {
        store: usize,
        max_waiting: u32,
    },
    SaveLog,
    Open {
        store: usize,
        path: std::path::PathBuf,
    },
}

/// Values the controls edit between frames.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlState {
    pub playing: bool,
    pub speed: Speed,
    /// Speed slider position (1..1000, ×), kept while "as fast as possible" is on.
    pub times: f64,
    pub seed: u64,
    pub heatmap: bool,
    pub multiplier: f64,
    pub clock: String,
    pub finished: bool,
}

/// Top bar: clock, play / pause / step, speed, seed and restart, heatmap.
pub fn controls_ui(ui: &mut egui::Ui, s: &mut ControlState) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&s.clock).monospace().size(18.0));
        if s.playing {
            if ui.button("⏸ Pause").clicked() {
                s.playing = false;
                actions.push(Action::Pause);
            }
        } else if ui
            .add_enabled(!s.finished, egui::Button::new("▶ Play"))
            .clicked()
        {
            s.playing = true;
            actions.push(Action::Play);
        }
        if ui
            .add_enabled(!s.finished, egui::Button::new("⏭ Step"))
            .clicked()
        {
            actions.push(Action::Step);
        }
        ui.separator();
        ui.label("Speed");
        let max = matches!(s.speed, Speed::Max);
        let slider = ui.add_enabled(
            !max,
            egui::Slider::new(&mut s.times, 1.0..=1000.0)
                .logarithmic(true)
                .suffix("×")
                .text("sim s per s"),
        );
        if slider.changed() {
            s.speed = Speed::Times(s.times);
            actions.push(Action::SetSpeed(s.speed));
        }
        let mut fastest = max;
        if ui.checkbox(&mut fastest, "as fast as possible").changed() {
            s.speed = if fastest {
                Speed::Max
            } else {
                Speed::Times(s.times)
            };
            actions.push(Action::SetSpeed(s.speed));
        }
        ui.separator();
        ui.label("Seed");
        ui.add(egui::DragValue::new(&mut s.seed));
        if ui.button("⟲ Restart").clicked() {
            actions.push(Action::Restart { seed: s.seed });
        }
        ui.separator();
        if ui.checkbox(&mut s.heatmap, "Heatmap").changed() {
            actions.push(Action::ToggleHeatmap);
        }
        if ui
            .button("💾 Save session")
            .on_hover_text("Write the commands of this session for --replay")
            .clicked()
        {
            actions.push(Action::SaveLog);
        }
    });
    actions
}

/// Live figures of one store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveKpis {
    pub arrived: f64,
    pub in_store: f64,
    pub queueing: f64,
    pub served: f64,
    pub mean_wait_s: f64,
    pub revenue: f64,
    pub lost_items: f64,
    pub empty_products: f64,
}

impl LiveKpis {
    pub fn of(world: &World) -> LiveKpis {
        let m = world.resource::<Metrics>();
        let inventory = world.resource::<Inventory>();
        let waits: Vec<f64> = m.records.iter().filter_map(|r| r.wait).collect();
        let queueing: usize = world
            .resource::<Checkout>()
            .queues
            .iter()
            .filter_map(|&q| world.get::<CheckoutQueue>(q))
            .map(|q| q.waiting.len())
            .sum();
        LiveKpis {
            arrived: m.arrived as f64,
            in_store: m.in_store as f64,
            queueing: queueing as f64,
            served: m.paid as f64,
            mean_wait_s: if waits.is_empty() {
                0.0
            } else {
                waits.iter().sum::<f64>() / waits.len() as f64
            },
            revenue: m.revenue,
            lost_items: inventory.lost_total() as f64,
            empty_products: inventory.empty_now() as f64,
        }
    }

    fn rows(&self) -> [(&'static str, f64, usize); 8] {
        [
            ("Customers arrived", self.arrived, 0),
            ("In store now", self.in_store, 0),
            ("Waiting at checkout", self.queueing, 0),
            ("Served", self.served, 0),
            ("Mean wait so far (s)", self.mean_wait_s, 1),
            ("Revenue", self.revenue, 2),
            ("Lost sales (items)", self.lost_items, 0),
            ("Empty shelves now", self.empty_products, 0),
        ]
    }
}

/// The KPI grid: one column per store and, with two stores, the difference B − A.
pub fn kpis_ui(ui: &mut egui::Ui, names: &[String], kpis: &[LiveKpis]) {
    egui::Grid::new("kpis")
        .striped(true)
        .num_columns(names.len() + 2)
        .show(ui, |ui| {
            ui.strong("KPI");
            for n in names {
                ui.strong(n);
            }
            if kpis.len() == 2 {
                ui.strong("B − A");
            }
            ui.end_row();
            let rows: Vec<_> = kpis.iter().map(|k| k.rows()).collect();
            for r in 0..rows[0].len() {
                let (label, _, digits) = rows[0][r];
                ui.label(label);
                for k in &rows {
                    ui.monospace(format!("{:.*}", digits, k[r].1));
                }
                if rows.len() == 2 {
                    let d = rows[1][r].1 - rows[0][r].1;
                    let color = if d.abs() < 1e-9 {
                        Color32::GRAY
                    } else {
                        Color32::from_rgb(200, 80, 0)
                    };
                    ui.label(
                        RichText::new(format!("{:+.*}", digits, d))
                            .monospace()
                            .color(color),
                    );
                }
                ui.end_row();
            }
        });
}

/// Open/closed state of every lane of one store, for the steering panel.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneSwitch {
    pub lane: LaneId,
    pub name: String,
    pub open: bool,
    pub busy: bool,
    pub waiting: usize,
    /// A till the rota's cashiers open and close: its switch is off limits.
    pub rota: bool,
}

pub fn lane_switches(world: &World) -> Vec<LaneSwitch> {
    let checkout = world.resource::<Checkout>();
    checkout
        .lanes
        .iter_enumerated()
        .filter_map(|(i, &e)| {
            let lane = world.get::<Lane>(e)?;
            let waiting = world
                .get::<CheckoutQueue>(checkout.queues[lane.queue])?
                .waiting
                .len();
            Some(LaneSwitch {
                lane: i,
                name: checkout.lane_names[i].clone(),
                open: lane.open,
                busy: lane.serving.is_some(),
                waiting,
                rota: checkout.rota_groups.contains(&lane.group),
            })
        })
        .collect()
}

/// A store's "one in front" threshold, if it has that lane policy.
pub fn policy_threshold(world: &World) -> Option<u32> {
    let state = world.resource::<crate::sim::lane_policy::LanePolicyState>();
    state.group.map(|_| state.max_waiting)
}

/// Steering: the arrival-rate multiplier (all stores), each store's "one in front" threshold
/// and its lanes.
pub fn steering_ui(
    ui: &mut egui::Ui,
    multiplier: &mut f64,
    stores: &[(String, Vec<LaneSwitch>, Option<u32>)],
) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.label("Arrival rate ×");
        if ui
            // A scenario's own multiplier may lie above the range (the stress test's 10):
            // shown as it is, not clamped; only a user's edit keeps to the range.
            .add(
                egui::Slider::new(multiplier, 0.0..=3.0)
                    .step_by(0.05)
                    .clamping(egui::SliderClamping::Edits),
            )
            .on_hover_text("Scales the arrival rate from now on (1 = as in the scenario)")
            .changed()
        {
            actions.push(Action::SetArrivalMultiplier(*multiplier));
        }
    });
    for (store, (name, _, threshold)) in stores.iter().enumerate() {
        if let Some(k) = threshold {
            let mut k = *k;
            ui.horizontal(|ui| {
                ui.label(format!("One in front ({name}): call a till above"));
                if ui
                    .add(egui::DragValue::new(&mut k).range(0..=20).suffix(" waiting"))
                    .on_hover_text("From now on a restocker is called to open a till when more than this many customers wait at one")
                    .changed()
                {
                    actions.push(Action::SetMaxWaiting {
                        store,
                        max_waiting: k,
                    });
                }
            });
        }
    }
    for (store, (name, lanes, _)) in stores.iter().enumerate() {
        egui::CollapsingHeader::new(format!("Lanes: {name}"))
            .id_salt(("lanes", store))
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new(("lane-grid", store))
                    .num_columns(3)
                    .show(ui, |ui| {
                        for l in lanes {
                            let mut open = l.open;
                            if ui
                                .add_enabled(!l.rota, egui::Checkbox::new(&mut open, &l.name))
                                .on_disabled_hover_text(
                                    "The rota's cashiers open and close this till",
                                )
                                .changed()
                            {
                                actions.push(Action::SetLaneOpen {
                                    store,
                                    lane: l.lane,
                                    open,
                                });
                            }
                            ui.label(if !l.open {
                                "closed"
                            } else if l.busy {
                                "busy"
                            } else {
                                "idle"
                            });
                            ui.label(format!("{} waiting", l.waiting));
                            ui.end_row();
                        }
                    });
            });
    }
    actions
}

/// Runs over days: out-of-stocks and record accuracy of each closed day, a line per store
/// and KPI (the figures of `days.csv`).
pub fn days_ui(ui: &mut egui::Ui, names: &[String], rows: &[&[DayRow]]) {
    ui.heading("Over the days");
    for (name, rows) in names.iter().zip(rows) {
        match rows.iter().rev().find(|r| r.open) {
            Some(r) => ui.label(format!(
                "{}day {} ({:?}): out of stock {:.1} %, records right {:.1} %, phantom {}",
                if names.len() > 1 {
                    format!("{name}: ")
                } else {
                    String::new()
                },
                r.day,
                r.weekday,
                100.0 * r.oos_share,
                100.0 * r.record_accuracy,
                r.phantom_products
            )),
            None => ui.label("no day closed yet"),
        };
    }
    Plot::new("days")
        .height(150.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .x_axis_label("day")
        .y_axis_label("%")
        .show(ui, |p| {
            for (name, rows) in names.iter().zip(rows) {
                let line = |f: &dyn Fn(&DayRow) -> f64| -> PlotPoints<'static> {
                    rows.iter()
                        .filter(|r| r.open)
                        .map(|r| [f64::from(r.day), 100.0 * f(r)])
                        .collect::<Vec<_>>()
                        .into()
                };
                let label = |k: &str| {
                    if names.len() > 1 {
                        format!("{name}: {k}")
                    } else {
                        k.to_string()
                    }
                };
                p.line(Line::new(label("out of stock"), line(&|r| r.oos_share)));
                p.line(Line::new(
                    label("records right"),
                    line(&|r| r.record_accuracy),
                ));
            }
        });
}

/// Live charts from the stores' per-minute samples and finished journeys.
pub fn charts_ui(ui: &mut egui::Ui, names: &[String], worlds: &[&World]) {
    // Five charts side by side, as tall as the (resizable) panel allows.
    let height = ui.available_height().clamp(120.0, 600.0);
    let width = (ui.available_width() / 5.0 - 10.0).max(150.0);
    // Side by side, the stores are "A" and "B" as above their floor plans: full scenario
    // names would cover the small charts.
    let short: Vec<String>;
    let names = if names.len() > 1 {
        short = (b'A'..)
            .take(names.len())
            .map(|c| char::from(c).to_string())
            .collect();
        &short[..]
    } else {
        names
    };
    ui.horizontal(|ui| {
        let series =
            |f: &dyn Fn(&crate::sim::metrics::Sample) -> f64, w: &World| -> PlotPoints<'static> {
                w.resource::<Metrics>()
                    .samples
                    .iter()
                    .map(|s| [s.time / 3600.0, f(s)])
                    .collect::<Vec<_>>()
                    .into()
            };
        let plot = |ui: &mut egui::Ui,
                    id: &str,
                    title: &str,
                    f: &dyn Fn(&crate::sim::metrics::Sample) -> f64| {
            ui.vertical(|ui| {
                ui.label(title);
                Plot::new(id)
                    .height(height - 18.0)
                    .width(width)
                    .legend(Legend::default())
                    .allow_scroll(false)
                    .show(ui, |p| {
                        for (name, w) in names.iter().zip(worlds) {
                            p.line(Line::new(name.clone(), series(f, w)));
                        }
                    });
            });
        };
        plot(ui, "in-store", "Customers in store", &|s| s.in_store as f64);
        if worlds.len() == 1 {
            // One store: a line per queue.
            let w = worlds[0];
            let queues = w.resource::<Checkout>().queue_names.clone();
            ui.vertical(|ui| {
                ui.label("Queue length per queue");
                Plot::new("queues")
                    .height(height - 18.0)
                    .width(width)
                    .legend(Legend::default())
                    .allow_scroll(false)
                    .show(ui, |p| {
                        for (q, name) in queues.iter().enumerate() {
                            let pts: Vec<[f64; 2]> = w
                                .resource::<Metrics>()
                                .samples
                                .iter()
                                .map(|s| {
                                    [
                                        s.time / 3600.0,
                                        f64::from(s.queues.get(q).copied().unwrap_or(0)),
                                    ]
                                })
                                .collect();
                            p.line(Line::new(name.clone(), PlotPoints::from(pts)));
                        }
                    });
            });
        } else {
            plot(ui, "waiting", "Customers waiting (all queues)", &|s| {
                s.queueing as f64
            });
        }
        ui.vertical(|ui| {
            ui.label("Waiting times (min), by start of service");
            Plot::new("waits")
                .height(height - 18.0)
                .width(width)
                .legend(Legend::default())
                .allow_scroll(false)
                .show(ui, |p| {
                    for (name, w) in names.iter().zip(worlds) {
                        let pts: Vec<[f64; 2]> = w
                            .resource::<Metrics>()
                            .records
                            .iter()
                            .filter_map(|r| Some([r.service_start? / 3600.0, r.wait? / 60.0]))
                            .collect();
                        p.points(Points::new(name.clone(), PlotPoints::from(pts)).radius(1.5));
                    }
                });
        });
        plot(ui, "revenue", "Revenue", &|s| s.revenue);
        plot(ui, "lost", "Lost sales (items)", &|s| s.items_lost as f64);
    });
}

/// The inspector: details of the selected customer, lane, shelf or staff member, then its
/// timeline so far.
pub fn inspector_ui(ui: &mut egui::Ui, world: &World, selection: Selection, now: f64) {
    details_ui(ui, world, selection, now);
    timeline_ui(ui, world, selection);
}

/// The events so far that concern the selection (from the event log), newest at the bottom.
fn timeline_ui(ui: &mut egui::Ui, world: &World, selection: Selection) {
    let rows = crate::view::model::timeline(world, selection);
    if rows.is_empty() {
        return;
    }
    ui.separator();
    egui::CollapsingHeader::new(format!("Timeline ({} events)", rows.len()))
        .id_salt("timeline")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(220.0)
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    egui::Grid::new("timeline-rows")
                        .striped(true)
                        .show(ui, |ui| {
                            for r in &rows {
                                ui.monospace(format_clock(r.time));
                                ui.label(r.event);
                                ui.label(if r.place.is_empty() {
                                    r.what.clone()
                                } else {
                                    format!("{}: {}", r.place, r.what)
                                });
                                ui.end_row();
                            }
                        });
                });
        });
}

/// How a customer checks out, in words.
fn method_text(m: crate::sim::customer::Method) -> String {
    use crate::sim::customer::Method;
    match m {
        Method::Lanes => "checks out at tills or self-checkouts".into(),
        Method::ScanAndGo { payment, audit } => format!(
            "scan & go, pays {}{}",
            match payment {
                crate::scenario::ScanGoPayment::Point => "at a payment point",
                crate::scenario::ScanGoPayment::App => "in the app",
            },
            if audit { ", picked for an audit" } else { "" }
        ),
        Method::Cashierless => "cashierless, walks out through a gate".into(),
    }
}

fn details_ui(ui: &mut egui::Ui, world: &World, selection: Selection, now: f64) {
    match selection {
        Selection::Customer(id) => {
            let mut q = world
                .try_query::<&Customer>()
                .expect("customers registered");
            let Some(c) = q.iter(world).find(|c| c.id == id) else {
                ui.label(format!("Customer {id} has left the store."));
                return;
            };
            ui.heading(format!("Customer {id}"));
            ui.label(format!("entered {}", format_clock(c.arrived)));
            ui.label(format!("state: {}", phase_text(world, c.phase)));
            ui.label(format!(
                "walking speed {:.2} m/s, walked {:.0} m",
                c.speed, c.distance
            ));
            ui.label(format!(
                "basket {} of {} items, value {:.2}",
                c.items, c.items_planned, c.value
            ));
            let segments = world.resource::<crate::sim::segments::Segments>();
            if segments.named() {
                ui.label(format!(
                    "segment {}: {}",
                    segments.list[c.segment].name,
                    method_text(c.method)
                ));
            }
            if let Some(d) = &c.digital
                && d.unscanned > 0
            {
                ui.colored_label(
                    Color32::from_rgb(200, 90, 0),
                    format!("{} items not scanned", d.unscanned),
                );
            }
            if c.items_lost > 0 {
                ui.colored_label(Color32::RED, format!("{} items out of stock", c.items_lost));
            }
            ui.separator();
            ui.label("Shopping list (shelf: product × units):");
            let catalog = world.resource::<Catalog>();
            let plan = world.resource::<crate::scenario::floor_plan::FloorPlan>();
            for (k, stop) in c.route.iter().enumerate() {
                let done = k < c.next_stop;
                let items: Vec<String> = c
                    .picks_at(stop)
                    .iter()
                    .map(|(p, n)| format!("{} ×{n}", catalog.products[*p].id))
                    .collect();
                let text = format!(
                    "{} {}: {}",
                    if done { "✔" } else { "•" },
                    plan.shelves[stop.shelf].id,
                    items.join(", ")
                );
                ui.label(if done {
                    RichText::new(text).weak()
                } else {
                    RichText::new(text)
                });
            }
            if let Some(j) = c.queue_joined {
                ui.label(format!(
                    "waiting since {} ({:.0} s)",
                    format_clock(j),
                    c.service_start.unwrap_or(now) - j
                ));
            }
        }
        Selection::Lane(l) => {
            let checkout = world.resource::<Checkout>();
            let Some(lane) = checkout.lanes.get(l).and_then(|&e| world.get::<Lane>(e)) else {
                return;
            };
            ui.heading(format!("Lane {}", checkout.lane_names[l]));
            ui.label(format!(
                "{}, {}",
                lane.kind.name(),
                if lane.open { "open" } else { "closed" }
            ));
            ui.label(format!("served {} customers", lane.served));
            let (busy, open) = lane.times_at(now);
            if open > 0.0 {
                ui.label(format!("utilisation so far {:.0} %", 100.0 * busy / open));
            }
            if lane.serving.is_some() {
                ui.label(format!(
                    "serving a basket of {} items until {}",
                    lane.serving_items,
                    format_clock(lane.busy_until)
                ));
            }
            if let Some(q) = world.get::<CheckoutQueue>(checkout.queues[lane.queue]) {
                ui.label(format!(
                    "queue {}: {} waiting, {} items",
                    checkout.queue_names[lane.queue],
                    q.waiting.len(),
                    q.items_waiting
                ));
            }
        }
        Selection::Shelf(s) => {
            let catalog = world.resource::<Catalog>();
            let Some(shelf) = catalog.shelves.get(s).and_then(|&e| world.get::<Shelf>(e)) else {
                return;
            };
            ui.heading(format!("Shelf {}", shelf.id));
            let pending: Vec<crate::ids::ProductId> = world
                .resource::<TaskQueue>()
                .iter()
                .filter_map(|t| match t.kind {
                    TaskKind::Refill { product } => Some(product),
                    TaskKind::Count { .. }
                    | TaskKind::Receive { .. }
                    | TaskKind::TakeBack { .. }
                    | TaskKind::Attend { .. }
                    | TaskKind::OpenTill { .. } => None,
                })
                .collect();
            egui::Grid::new("shelf").striped(true).show(ui, |ui| {
                ui.strong("product");
                ui.strong("on shelf");
                ui.strong("capacity");
                ui.strong("backroom");
                ui.strong("misplaced");
                ui.strong("record");
                ui.end_row();
                let inventory = world.resource::<Inventory>();
                for slot in &shelf.slots {
                    let stock = inventory.stock(slot.product);
                    let p = &catalog.products[slot.product];
                    let name = if pending.contains(&slot.product) {
                        format!("{} (refill queued)", p.id)
                    } else {
                        p.id.clone()
                    };
                    ui.label(name);
                    let color = if stock.shelf == 0 {
                        Color32::RED
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.colored_label(color, stock.shelf.to_string());
                    ui.label(slot.capacity.to_string());
                    ui.label((stock.backroom + stock.carried).to_string());
                    ui.label(stock.misplaced.to_string());
                    // The record against what can be found: red when they differ.
                    let findable = stock.findable() as i64;
                    if stock.record == findable {
                        ui.label(stock.record.to_string());
                    } else {
                        ui.colored_label(
                            Color32::RED,
                            format!("{} ({findable} to find)", stock.record),
                        );
                    }
                    ui.end_row();
                }
            });
        }
        Selection::Staff(id) => {
            let mut q = world.try_query::<&StaffMember>().expect("staff registered");
            let Some(s) = q.iter(world).find(|s| s.id == id) else {
                return;
            };
            ui.heading(capitalized(&staff_name(s)));
            ui.label(role_text(world, s));
            ui.label(match s.task {
                Task::Idle => "idle at the backroom".to_string(),
                Task::AtLane => "at the till".to_string(),
                Task::ToShelf { product, units } => {
                    format!(
                        "carrying {units} × {}",
                        world.resource::<Catalog>().products[product].id
                    )
                }
                Task::Refilling { product, units } => {
                    format!(
                        "refilling {units} × {}",
                        world.resource::<Catalog>().products[product].id
                    )
                }
                Task::Receiving { product } => format!(
                    "receiving a delivery of {}",
                    world.resource::<Catalog>().products[product].id
                ),
                Task::ToCount { product } => format!(
                    "on the way to count {}",
                    world.resource::<Catalog>().products[product].id
                ),
                Task::Counting { product } => format!(
                    "counting {}",
                    world.resource::<Catalog>().products[product].id
                ),
                Task::ToTill { lane } => format!(
                    "called to open till {}",
                    world.resource::<Checkout>().lane_name(lane)
                ),
                Task::AtTill { lane } => format!(
                    "serving at till {} (opened on demand)",
                    world.resource::<Checkout>().lane_name(lane)
                ),
                Task::ToTerminal { lane } => format!(
                    "walking to the stopped self-checkout {}",
                    world.resource::<Checkout>().lane_name(lane)
                ),
                Task::Helping { lane } => format!(
                    "helping at self-checkout {}",
                    world.resource::<Checkout>().lane_name(lane)
                ),
                Task::ToLane { lane } => format!(
                    "fetching an abandoned basket at lane {}",
                    world.resource::<Checkout>().lane_name(lane)
                ),
                Task::Returning => "walking back to the backroom".to_string(),
            });
            let e = world
                .try_query::<(bevy::prelude::Entity, &StaffMember)>()
                .expect("staff registered")
                .iter(world)
                .find(|(_, m)| m.id == id)
                .map(|(e, _)| e);
            if let Some(r) = e.and_then(|e| world.get::<crate::sim::rota::Rostered>(e)) {
                ui.label(format!(
                    "shift {} – {}{}",
                    format_clock(r.from),
                    format_clock(r.to),
                    match s.duty {
                        crate::sim::staff::Duty::On => "",
                        crate::sim::staff::Duty::Break => ", on a break",
                        crate::sim::staff::Duty::Off => ", off shift",
                    }
                ));
            }
        }
    }
}

/// `text` with its first letter in upper case, for a heading.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The colour legend of the markers.
pub fn legend_ui(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        for (c, name) in [
            (floor::WALKING, "walking"),
            (floor::PICKING, "picking"),
            (floor::QUEUEING, "queueing"),
            (floor::IN_SERVICE, "being served"),
            (floor::LEAVING, "leaving"),
            (floor::CASHIER, "cashier"),
            (floor::RESTOCKER, "restocker"),
            (floor::ATTENDANT, "attendant"),
        ] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 5.0, c);
            ui.label(name);
        }
        ui.label("lanes lettered P: scan & go payment, A: audit, G: exit gate, I: entrance gate (check-in)");
    });
}
