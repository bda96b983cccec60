//! The view's draw data against the scenario as written: every lane is drawn on the cell the
//! layout gives it, in its own state, under its own name, and a click on it selects it.
//! The reference numbering here is computed from the layout text alone (reading order within
//! each lane group), independently of the engine's own tables.

mod common;

use std::collections::BTreeMap;

use common::*;
use storelab::Simulation;
use storelab::scenario::floor_plan::FloorPlan;
use storelab::scenario::{LegendEntry, Scenario};
use storelab::sim::checkout::{Checkout, Lane};
use storelab::sim::customer::{Customer, Phase};
use storelab::sim::staff::{Role, StaffMember};
use storelab::view::model::{Activity, DrawData, LaneState, Selection, hit_test};

/// Lane name (`group-k`) → (x, y, k) from the layout rows.
fn lanes_as_written(s: &Scenario) -> BTreeMap<String, (u32, u32, u32)> {
    let mut per_group: BTreeMap<String, u32> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (y, row) in s.layout.rows.iter().enumerate() {
        for (x, ch) in row.chars().enumerate() {
            if let Some(LegendEntry::Checkout(g)) = s.layout.legend.get(&ch) {
                let k = per_group.entry(g.clone()).or_default();
                *k += 1;
                out.insert(format!("{g}-{k}"), (x as u32, y as u32, *k));
            }
        }
    }
    out
}

fn centre(plan: &FloorPlan, x: u32, y: u32) -> (f64, f64) {
    (
        (f64::from(x) + 0.5) * plan.cell_size,
        (f64::from(y) + 0.5) * plan.cell_size,
    )
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

fn check(file: &str) {
    let s = load(file);
    let written = lanes_as_written(&s);
    let (open, close) = s.hours.span();
    let t = open + 0.7 * (close - open);
    let mut sim = Simulation::new(&s, 4);
    sim.run_until(t);
    let world = sim.world();
    let plan = world.resource::<FloorPlan>();
    let checkout = world.resource::<Checkout>();
    let draw = DrawData::of(world, t);
    assert_eq!(
        draw.lanes.len(),
        written.len(),
        "{file}: every lane is drawn"
    );
    let mut busy = 0;
    for lane in draw.lanes.iter() {
        let &(x, y, k) = written
            .get(&lane.name)
            .unwrap_or_else(|| panic!("{file}: drawn lane {} is not in the layout", lane.name));
        assert_eq!(
            plan.xy(lane.cell),
            (x, y),
            "{file}: {} drawn elsewhere",
            lane.name
        );
        // Its state is the state of the checkout lane of that name.
        assert_eq!(
            checkout.lane_name(lane.id),
            lane.name,
            "{file}: inspector name"
        );
        let model = world.get::<Lane>(checkout.lanes[lane.id]).unwrap();
        let group = lane.name.rsplit_once('-').unwrap().0;
        let opened = s.checkouts.groups[group].open.is_none_or(|n| k <= n);
        assert_eq!(
            model.open, opened,
            "{file}: {} open as configured",
            lane.name
        );
        let expected = match (model.open, model.serving.is_some()) {
            (_, true) => LaneState::Busy,
            (true, false) => LaneState::Idle,
            (false, false) => LaneState::Closed,
        };
        assert_eq!(lane.state, expected, "{file}: {} state", lane.name);
        busy += usize::from(lane.state == LaneState::Busy);
        // A click on the lane's cell (on the side away from its cashier) selects that lane.
        let (cx, cy) = centre(plan, x, y);
        let (dx, dy) = plan.lanes[lane.id].queue_direction;
        let click = (
            cx + f64::from(dx) * 0.4 * plan.cell_size,
            cy + f64::from(dy) * 0.4 * plan.cell_size,
        );
        assert_eq!(
            hit_test(plan, &draw, click),
            Some(Selection::Lane(lane.id)),
            "{file}: clicking {} selects it",
            lane.name
        );
    }
    assert!(
        busy > 0,
        "{file}: some lane must be busy at the checked time"
    );
    // People stand at their own lane: customers in service next to it, cashiers at it, the
    // head of each queue nearer its own lane than any other.
    let by_name = |name: &str| {
        let &(x, y, _) = &written[name];
        centre(plan, x, y)
    };
    let mut q = sim.world().try_query::<&Customer>().unwrap();
    let phases: BTreeMap<u32, Phase> = q.iter(world).map(|c| (c.id, c.phase)).collect();
    let mut heads = 0;
    for person in &draw.people {
        match (person.who, person.activity) {
            (Selection::Customer(id), Activity::InService) => {
                let Phase::InService { lane } = phases[&id] else {
                    panic!("{file}: customer {id} drawn in service but is not")
                };
                let d = dist(person.pos, by_name(checkout.lane_name(lane)));
                assert!(d <= 1.5 * plan.cell_size, "{file}: customer {id} {d} m off");
            }
            (Selection::Customer(id), Activity::Queueing) => {
                let Phase::Queueing { queue } = phases[&id] else {
                    panic!("{file}: customer {id} drawn queueing but is not")
                };
                let own = world
                    .get::<storelab::sim::checkout::CheckoutQueue>(checkout.queues[queue])
                    .unwrap();
                if own
                    .waiting
                    .front()
                    .map(|&e| world.get::<Customer>(e).unwrap().id)
                    != Some(id)
                {
                    continue;
                }
                heads += 1;
                let mine = dist(person.pos, by_name(checkout.lane_name(own.lanes[0])));
                for other in written.keys() {
                    let d = dist(person.pos, by_name(other));
                    assert!(
                        mine <= d + 1e-9,
                        "{file}: head of queue {} stands nearer {other}",
                        checkout.queue_names[queue]
                    );
                }
            }
            _ => {}
        }
    }
    let mut staff = sim.world().try_query::<&StaffMember>().unwrap();
    let mut cashiers = 0;
    for s in staff.iter(world) {
        if let Role::Cashier { lane } = s.role {
            cashiers += 1;
            let drawn = draw
                .people
                .iter()
                .find(|p| p.who == Selection::Staff(s.id))
                .unwrap();
            let d = dist(drawn.pos, by_name(checkout.lane_name(lane)));
            assert!(
                d <= 0.5 * plan.cell_size,
                "{file}: cashier {} {d} m off",
                s.id
            );
        }
    }
    println!(
        "{file}: {} lanes, {busy} busy, {heads} queue heads, {cashiers} cashiers",
        written.len()
    );
}

#[test]
fn every_lane_is_drawn_where_the_layout_puts_it_in_its_own_state() {
    for file in [
        "minimal.ron",
        "supermarket.ron",
        "self-checkout.ron",
        "validation/mm3-rho085.ron",
    ] {
        check(file);
    }
}
