//! Receiving: restockers take delivered cases from the backroom door into the backroom.
//!
//! Models: with `ordering.receive_seconds_per_case` above 0, a delivery waits at the backroom
//! door (physically there, not yet on the record) until a restocker receives it: a receiving
//! task per product on the staff task queue, below refills and above counts in priority. The
//! restocker walks to the door and spends `receive_seconds_per_case` per case; then the units
//! are in the backroom and the record rises by what the delivery note says (which a delivery
//! error makes differ from what came). With 0 seconds a delivery is received the moment it
//! arrives, by nobody.
//!
//! Units: seconds per case, units of stock.

use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::ProductId;
use crate::sim::event_log::{Describe, EventLog, LogRow};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::inventory::{Inventory, emit_if_low};
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::replenishment::{RestockerBack, RestockerWork};
use crate::sim::staff::{Crew, StaffMember, Task, TaskKind, describe_staff};

/// Emitted when a delivery of `product` is at the door and staff must receive it.
#[derive(Debug, Clone, Copy)]
pub struct ReceiveDelivery {
    pub product: ProductId,
}

/// Scheduled: a restocker has received the cases of its product.
#[derive(Debug, Clone, Copy)]
pub struct ReceiveDone {
    pub staff: Entity,
}

impl Describe for ReceiveDelivery {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let cases = world.resource::<Inventory>().cases_at_door(self.product);
        let info = row.at_shelf_of(world, self.product);
        row.who = format!("product {}", info.id);
        row.place = "backroom door".into();
        row.what = format!("{cases} cases of {} wait to be received", info.name);
    }
}

impl Describe for ReceiveDone {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::Receiving { product }) = describe_staff(world, self.staff, row) {
            let info = row.at_shelf_of(world, product);
            row.place = "backroom door".into();
            row.what = format!("has received {}", info.name);
        }
    }
}

pub(crate) fn on_receive_delivery(
    In(ev): In<ReceiveDelivery>,
    mut crew: Crew,
    mut work: RestockerWork,
) {
    let now = work.now();
    let product = ev.product;
    // One receiving task per product at a time: a later delivery joins the waiting one.
    if !crew
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::Receive { product })
    {
        crew.tasks.post(TaskKind::Receive { product }, now);
    }
    work.assign(&mut crew);
}

/// Sends a restocker to receive `product` at the backroom door.
pub(crate) fn set_off(
    staff: Entity,
    member: &mut StaffMember,
    motion: &mut Motion,
    product: ProductId,
    inventory: &Inventory,
    seconds_per_case: f64,
    moves: &mut Movement,
    agenda: &mut Agenda,
    now: f64,
) {
    let door = moves
        .plan()
        .backroom_door
        .expect("receiving needs restockers, who have a backroom");
    let walk = moves.walk(Walker::Staff, motion, door, member.speed, now);
    member.task = Task::Receiving { product };
    let work = seconds_per_case * f64::from(inventory.cases_at_door(product));
    agenda.schedule(walk.arrive + work, ReceiveDone { staff });
}

pub(crate) fn on_receive_done(
    In(ev): In<ReceiveDone>,
    members: Query<&StaffMember>,
    mut inventory: ResMut<Inventory>,
    config: Res<RunConfig>,
    mut agenda: AgendaMut,
    mut log: Option<ResMut<EventLog>>,
) {
    let Ok(member) = members.get(ev.staff) else {
        return;
    };
    let Task::Receiving { product } = member.task else {
        return;
    };
    let (booked, came) = inventory.receive(product);
    if let Some(log) = log.as_mut() {
        log.what(|| format!("{came} units into the backroom (booked {booked})"));
    }
    emit_if_low(
        &inventory,
        product,
        config.scenario.replenishment.threshold,
        &mut agenda,
    );
    // It stands at the door: free for the next task.
    agenda.emit(RestockerBack { staff: ev.staff });
}
