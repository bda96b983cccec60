//! Every event of a store day and, for each, the handlers that react to it, in order.
//!
//! Models nothing itself: it is the one place that says what happens when. An event is a plain
//! struct owned by its concept's module; [`SimEvent`] wraps them all so the agenda holds them
//! unboxed, and [`Dispatch::dispatch`] runs each event's handlers in the order written in the
//! table below (never in bevy's internal observer order), so results cannot change with a bevy
//! upgrade. A handler is a bevy system taking the event as `In<E>`; it schedules later events
//! on the [`Agenda`] or emits events that happen now
//! ([`emit`](crate::sim::engine::Agenda::emit)), which are handled after the current event
//! (all its handlers), first in, first out. Adding a process means adding its events and
//! handlers here.
//!
//! Units: none of its own (the events carry entities and typed ids).

use bevy::prelude::*;

use crate::sim::engine::Dispatch;
use crate::sim::{
    arrivals, attendance, checkout, counting, inventory, journey, lane_policy, lane_schedule,
    metrics, receiving, replenishment, rota, segments, shopping,
};

pub use crate::sim::arrivals::{ArrivalDue, CustomerEntered, SetArrivalMultiplier};
pub use crate::sim::attendance::{AttendantAtTerminal, HelpDone, TerminalStops};
pub use crate::sim::checkout::{
    BasketLeft, CustomerPaid, DigitalStep, JoinQueue, PatienceOut, ReachCheckout, ServiceDone,
    SetLaneOpen, StepDone,
};
pub use crate::sim::counting::{CountDone, CounterAtShelf, CountsDue, ReadersDue};
pub use crate::sim::inventory::DeliveriesDue;
pub use crate::sim::journey::{CustomerLeft, ReachExit};
pub use crate::sim::lane_policy::{PolicyCheck, SetMaxWaiting, TillIdle, TillStaffed};
pub use crate::sim::lane_schedule::LanesDue;
pub use crate::sim::metrics::SampleDue;
pub use crate::sim::receiving::{ReceiveDelivery, ReceiveDone};
pub use crate::sim::replenishment::{RefillDone, RestockerAtLane, RestockerAtShelf, RestockerBack};
pub use crate::sim::rota::{
    BreakDue, BreakOver, CashierAtTill, CashierBack, ShiftEnds, ShiftStarts, TillDrained,
};
pub use crate::sim::shopping::{CheckedIn, ReachShelf, StockLow};

/// One handler: a bevy system with input `In<E>`, initialised once when the store is built.
type Handler<E> = Box<dyn System<In = In<E>, Out = ()>>;

/// Builds and initialises handler `handler` on `world`.
fn handler<E: 'static, M>(
    world: &mut World,
    handler: impl IntoSystem<In<E>, (), M> + 'static,
) -> Handler<E> {
    let mut system = IntoSystem::into_system(handler);
    system.initialize(world);
    Box::new(system)
}

/// Runs one handler on the world. A handler that cannot run is a bug in the table below (a
/// missing resource), not something input can cause.
fn run<E: 'static>(world: &mut World, handler: &mut Handler<E>, event: E) {
    if let Err(e) = handler.run(event, world) {
        panic!("event handler {} failed: {e}", handler.name());
    }
}

macro_rules! event_table {
    ($( $event:ident => [ $($handler:path $([$when:ident])?),+ $(,)? ] ),+ $(,)?) => {
        /// One event of the store day.
        #[derive(Clone, Debug)]
        pub enum SimEvent {
            $( $event($event), )+
        }

        $(
            impl From<$event> for SimEvent {
                fn from(e: $event) -> Self {
                    SimEvent::$event(e)
                }
            }
        )+

        /// Every event's handlers, built and initialised when the store is built (none is
        /// set up mid-run, at a moment that would depend on the history of the run). They
        /// live outside the world: running a system the world holds would take it out of its
        /// entity and put it back on every call.
        #[allow(non_snake_case)]
        pub struct Handlers {
            $( $event: Vec<Handler<$event>>, )+
            /// Whether an event log is recorded (asked once here, not on every event).
            pub logging: bool,
        }

        impl Handlers {
            pub fn new(world: &mut World) -> Self {
                Handlers {
                    $( $event: {
                        let mut list: Vec<Handler<$event>> = Vec::new();
                        $( if true $(&& when::$when(world))? {
                            list.push(handler(world, $handler));
                        } )+
                        list
                    }, )+
                    logging: world.contains_resource::<crate::sim::event_log::EventLog>(),
                }
            }
        }

        impl Dispatch for SimEvent {
            type Handlers = Handlers;

            fn name(&self) -> &'static str {
                match self {
                    $( SimEvent::$event(_) => stringify!($event), )+
                }
            }

            fn dispatch(self, world: &mut World, handlers: &mut Handlers) {
                match self {
                    $( SimEvent::$event(e) => {
                        if handlers.logging {
                            crate::sim::event_log::record_before(world, stringify!($event), &e);
                        }
                        if let [rest @ .., last] = handlers.$event.as_mut_slice() {
                            for h in rest {
                                run(world, h, e.clone());
                            }
                            run(world, last, e);
                        }
                    } )+
                }
            }
        }
    };
}

/// Conditions of handlers marked `[condition]` in the table: a handler that would do nothing
/// in a store without the process it belongs to is left out of such a store, so its events
/// do not pay for fetching its parameters (asked once, when the store is built).
mod when {
    use bevy::prelude::World;

    /// The store has a staff rota.
    pub fn rota(world: &World) -> bool {
        world.contains_resource::<crate::sim::rota::RotaState>()
    }
}

/// The store's agenda: the engine's, holding [`SimEvent`]s.
pub type Agenda = crate::sim::engine::Agenda<SimEvent>;

/// A handler's access to the store's agenda (lent by the engine while it handles events).
pub type AgendaMut<'w> = crate::sim::engine::AgendaMut<'w, SimEvent>;

// The table: each event and its handlers, run in this order; `[condition]` after a handler:
// only in stores where `when::condition` holds.
event_table! {
    ArrivalDue => [arrivals::on_arrival],
    SetArrivalMultiplier => [arrivals::on_set_multiplier],
    CustomerEntered => [shopping::on_customer_entered, metrics::on_entered],
    ReachShelf => [shopping::on_reach_shelf],
    StockLow => [replenishment::on_stock_low],
    ReachCheckout => [checkout::on_reach_checkout],
    CheckedIn => [shopping::on_checked_in],
    JoinQueue => [checkout::on_join_queue],
    ServiceDone => [checkout::on_service_done],
    DigitalStep => [segments::on_digital_step],
    StepDone => [checkout::on_step_done],
    CustomerPaid => [metrics::on_paid],
    SetLaneOpen => [checkout::on_set_lane_open, lane_policy::on_lane_command],
    PatienceOut => [checkout::on_patience_out],
    TerminalStops => [attendance::on_terminal_stops],
    AttendantAtTerminal => [attendance::on_attendant_at_terminal],
    HelpDone => [attendance::on_help_done],
    PolicyCheck => [lane_policy::on_policy_check],
    SetMaxWaiting => [lane_policy::on_set_max_waiting],
    TillStaffed => [lane_policy::on_till_staffed],
    TillIdle => [lane_policy::on_till_idle],
    BasketLeft => [replenishment::on_basket_left],
    ReachExit => [journey::on_reach_exit],
    CustomerLeft => [metrics::on_left, rota::on_customer_left [rota]],
    RestockerAtShelf => [replenishment::on_at_shelf],
    RefillDone => [replenishment::on_refill_done],
    RestockerAtLane => [replenishment::on_at_lane],
    RestockerBack => [replenishment::on_back],
    SampleDue => [metrics::on_sample],
    DeliveriesDue => [inventory::on_deliveries_due],
    ReceiveDelivery => [receiving::on_receive_delivery],
    ReceiveDone => [receiving::on_receive_done],
    CountsDue => [counting::on_counts_due],
    CounterAtShelf => [counting::on_counter_at_shelf],
    CountDone => [counting::on_count_done],
    ReadersDue => [counting::on_readers_due],
    ShiftStarts => [
        rota::on_shift_starts,
        rota::assign_restockers::<ShiftStarts>,
        attendance::assign_rota_banks::<ShiftStarts>,
    ],
    BreakDue => [rota::on_break_due],
    BreakOver => [
        rota::on_break_over,
        rota::assign_restockers::<BreakOver>,
        attendance::assign_rota_banks::<BreakOver>,
    ],
    ShiftEnds => [rota::on_shift_ends],
    CashierAtTill => [rota::on_cashier_at_till],
    CashierBack => [rota::on_cashier_back, attendance::assign_rota_banks::<CashierBack>],
    TillDrained => [rota::on_till_drained],
    LanesDue => [lane_schedule::on_lanes_due],
}
